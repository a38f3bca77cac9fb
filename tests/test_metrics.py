"""/metrics in Prometheus format: counts from the database, request latency from every web process."""
from __future__ import annotations

import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

import crashharness
import test_incidents  # noqa: F401 - registers the handler uji.layanan_luar
from conftest import BPMN
from engine import clock
from engine.services import metrics as numbers
from workerproc import ROOT, env, kill


def _samples(body: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _scrape(api, **kwargs) -> dict[tuple, float]:
    response = api.call("GET", "/metrics", expect=200, **kwargs)
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return _samples(response.get_data(as_text=True))


def test_metrics_count_cases_tasks_incidents_and_timer_lag(api, db, app):
    started = (("method", "POST"), ("route", "/api/v1/process-instances"), ("status", "201"))
    latency = ("alur_http_request_duration_seconds_count", started)
    before = _scrape(api, as_="admin_sistem").get(latency, 0)  # the histogram lives as long as this process
    api.deploy(BPMN / "timer_sla.bpmn")
    api.deploy(BPMN / "unstable_service.bpmn")
    api.deploy(BPMN / "two_lanes.bpmn")
    for _ in range(2):
        api.start("uji_sla", as_="verifikator")
    api.start("uji_layanan_luar", as_="admin_sistem")  # its outside service is down: an incident, retrying
    done = api.start("uji_dua_lajur")
    done = api.complete(done["tasks"][0]["id"])
    api.complete(done["tasks"][0]["id"], {"approved": True}, as_="verifikator")
    clock.advance(timedelta(hours=1, minutes=10))  # the hourly reminders are 10 minutes overdue: no worker ran

    m = _scrape(api, as_="admin_sistem")
    assert m[("alur_instances_started_total", (("process", "uji_sla"),))] == 2
    assert m[("alur_instances_completed_total", (("process", "uji_dua_lajur"),))] == 1
    assert m[("alur_instances", (("process", "uji_layanan_luar"), ("state", "error")))] == 1
    assert m[("alur_instances_failed_total", (("process", "uji_layanan_luar"),))] == 1
    assert m[("alur_tasks_open", (("role", "verifikator"),))] == 2
    assert m[("alur_incidents", (("status", "retrying"),))] == 1
    assert m[("alur_timers_due", ())] == 2
    assert 595 <= m[("alur_timer_lag_seconds", ())] <= 605
    assert m[("alur_schedule_lag_seconds", ())] == 0
    with db.reader() as session:  # the outbox of webhooks and e-mail: its backlog is what waits in the table
        waiting = session.scalar(text("SELECT count(*) FROM outbox WHERE state IN ('pending', 'held')"))
    assert m[("alur_outbox_backlog", (("outbox", "outbox"),))] == waiting
    assert m[latency] - before == 4
    assert m[("alur_http_request_duration_seconds_bucket", (("le", "+Inf"),) + started)] == m[latency]


def test_metrics_need_admin_sistem_or_the_scrape_token(api, app, client):
    # A scraper is not a person: no sign-in page, a 401 problem (a redirect would "succeed" with HTML).
    assert client.get("/metrics").status_code == 401
    api.call("GET", "/metrics", as_="verifikator", expect=403)
    assert client.get("/metrics", headers={"Authorization": "Bearer tebakan"}).status_code == 401
    app.config["METRICS_TOKEN"] = "rahasia-prometheus-panjang"
    wrong = client.get("/metrics", headers={"Authorization": "Bearer tebakan"})
    assert wrong.status_code == 401 and wrong.mimetype == "application/problem+json"
    ok = client.get("/metrics", headers={"Authorization": "Bearer rahasia-prometheus-panjang"})
    assert ok.status_code == 200 and b"alur_instances" in ok.data


def test_an_outbox_table_reports_its_backlog_and_failures(api, db, monkeypatch):
    monkeypatch.setattr(numbers, "OUTBOX_TABLES", ("uji_outbox",))
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE uji_outbox (id INTEGER PRIMARY KEY, status VARCHAR(20))"))
        session.execute(text("INSERT INTO uji_outbox VALUES (1, 'pending'), (2, 'retrying'), (3, 'delivered'), "
                             "(4, 'dead')"))
    try:
        m = _scrape(api, as_="admin_sistem")
        assert m[("alur_outbox_backlog", (("outbox", "uji_outbox"),))] == 2
        assert m[("alur_deliveries_failed_total", (("outbox", "uji_outbox"),))] == 1
    finally:
        with db.unit_of_work() as session:
            session.execute(text("DROP TABLE uji_outbox"))


def test_under_gunicorn_the_latency_of_every_web_process_is_summed(db, database_url, tmp_path):
    if not db.is_sqlite:
        pytest.skip("the web processes are the same on both databases")
    port = crashharness.free_port()
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers", "3"],
                              cwd=ROOT, env=env(database_url, tmp_path, ALUR_METRICS_TOKEN="uji-token-panjang-123",
                                                ALUR_LOG_LEVEL="WARNING"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    healthz = ("alur_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz"),
                                                              ("status", "200")))
    try:
        crashharness.Server(database_url, tmp_path, port).wait_ready()
        before = _scrape_http(port)[healthz]
        files = tmp_path / "prometheus" / str(port)
        sent = 0
        with ThreadPoolExecutor(max_workers=20) as pool:  # at once, so that several web processes answer
            while sent < 600 and (sent == 0 or len(list(files.glob("histogram_*.db"))) < 2):
                statuses = list(pool.map(lambda _: _get(f"http://127.0.0.1:{port}/healthz"), range(60)))
                assert statuses == [200] * 60
                sent += 60
        after = _scrape_http(port)[healthz]
    finally:
        kill(server)
    # Our requests, answered by several processes, are all counted in one scrape.
    assert len(list(files.glob("histogram_*.db"))) >= 2
    assert after - before == sent


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status


def _scrape_http(port: int) -> dict[tuple, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                     headers={"Authorization": "Bearer uji-token-panjang-123"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return _samples(r.read().decode())
