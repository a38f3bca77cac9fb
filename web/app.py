"""The application factory."""
from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, request

from engine import registry
from engine.services import inbox

from . import config as alur_config
from . import converters, errors, extensions, logs

log = logging.getLogger("alur.request")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["int"] = converters.RowId  # before any route: ids beyond BIGINT are 404, not 500
    settings = alur_config.load(overrides)
    app.config.update(settings)
    inbox.COUNTS_TTL = float(settings["INBOX_COUNTS_TTL"])
    app.config["MAX_CONTENT_LENGTH"] = max(int(settings["MAX_BPMN_BYTES"]), int(settings["MAX_UPLOAD_BYTES"])) + (1 << 20)
    logs.configure(str(settings["LOG_LEVEL"]))
    registry.load_modules(str(settings["HANDLER_MODULES"]))
    extensions.init_app(app)
    errors.init_app(app)
    _request_ids(app)
    from . import api, metrics, ui

    api.init_app(app)
    ui.init_app(app)
    metrics.init_app(app)
    return app


def _request_ids(app: Flask) -> None:
    @app.before_request
    def _begin():
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied[:64] if supplied and supplied.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _end(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.debug("request", extra={"method": request.method, "path": request.path,
                                    "status": response.status_code, "ms": round(elapsed, 1)})
        return response
