"""Prometheus metrics: counts from the database at scrape time, request latency from every web process.

Under gunicorn (``alur serve``) several processes answer requests; their latency histograms are summed
through prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``web/server.py``).
Everything else is counted in the database when Prometheus scrapes (``engine/services/metrics.py``).
"""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from engine.db import Database
from engine.services import metrics as numbers

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY = Histogram("alur_http_request_duration_seconds", "Time to answer an HTTP request, by route and status.",
                    ["method", "route", "status"], registry=None,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def init_app(app: Flask) -> None:
    @app.before_request
    def _clock_in():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _clock_out(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            LATENCY.labels(request.method, route, str(response.status_code)).observe(time.perf_counter() - started)
        return response


class _Database:
    """Turns the database's numbers into metric families at each scrape."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self):
        for metric in numbers.collect(self.db):
            name = f"alur_{metric.name}"
            family = (CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily)(
                name, metric.help, labels=list(metric.labels))
            for labels, value in metric.samples:
                family.add_metric(list(labels), value)
            yield family


def exposition(db: Database) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Database(db))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(LATENCY)
    return generate_latest(registry)
