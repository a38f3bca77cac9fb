"""The one translation point: every error leaves as RFC 9457 ``application/problem+json``."""
from __future__ import annotations

import logging

from flask import Flask, current_app, g, json, request
from werkzeug.exceptions import HTTPException

from engine.errors import AlurError
from webhooks.privacy import masked

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

_TITLES = {
    400: "Permintaan tidak valid / Bad request",
    401: "Perlu masuk / Authentication required",
    403: "Tidak berwenang / Forbidden",
    404: "Tidak ditemukan / Not found",
    405: "Metode tidak diizinkan / Method not allowed",
    409: "Konflik / Conflict",
    413: "Berkas terlalu besar / Payload too large",
    415: "Jenis konten tidak didukung / Unsupported media type",
    422: "Data tidak valid / Invalid data",
    429: "Terlalu banyak permintaan / Too many requests",
    500: "Kesalahan server / Internal server error",
}


def problem(status: int, detail: str, title: str | None = None, **extra):
    body = {"type": "about:blank", "title": title or _TITLES.get(status, "Error"), "status": status,
            "detail": detail, "instance": request.path, "request_id": getattr(g, "request_id", None)}
    body.update({k: v for k, v in extra.items() if v is not None})
    # A NIK or NPWP the caller put in the path, an id or a value is not repeated back (nor kept in a proxy's log).
    response = current_app.response_class(json.dumps(masked(body)), status=status, mimetype=PROBLEM)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="alur"'
    if extra.get("retry_after"):
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def _page(status: int, detail: str, **extra):
    """Browser pages get an HTML error page (``web.ui`` registers the renderer); the API keeps problem+json."""
    render = current_app.extensions.get("alur_error_page")
    if render is None or request.path.startswith("/api/") or request.path in ("/healthz", "/metrics"):
        return None
    return render(status, detail, **extra)


def init_app(app: Flask) -> None:
    app.register_error_handler(AlurError, _alur_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, _unexpected)


def _alur_error(exc: AlurError):
    return _page(exc.status, exc.detail, **exc.extra) or problem(exc.status, exc.detail, exc.title, **exc.extra)


def http_error(exc: HTTPException):
    errors = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        messages = data.get("messages") or data.get("errors")
        if isinstance(messages, dict):
            # webargs nests by location ("json", "query", "files"); the caller wants field -> messages.
            errors = {}
            for location, fields in messages.items():
                errors.update(fields if isinstance(fields, dict) else {location: fields})
    status = exc.code or 500
    detail = exc.description or ""
    if status == 422 and errors:
        detail = "Periksa isian yang ditandai. / Check the marked fields."
    return _page(status, detail, errors=errors) or problem(status, detail, errors=errors)


def _unexpected(exc: Exception):
    log.exception("unhandled error", extra={"path": request.path})
    detail = "Terjadi kesalahan tak terduga; sudah dicatat. / An unexpected error occurred; it was logged."
    return _page(500, detail) or problem(500, detail)
