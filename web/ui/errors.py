"""HTML error pages for the browser; the API keeps ``application/problem+json`` (``web/errors.py``)."""
from __future__ import annotations

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _


def init_app(app: Flask) -> None:
    app.extensions["alur_error_page"] = render_error


def render_error(status: int, detail: str, **extra):
    if status == 401:
        flash(_("Sesi Anda berakhir; silakan masuk lagi.") if g.get("session_ended")
              else _("Silakan masuk terlebih dahulu."), "warning")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("ui.login", next=target) if target else url_for("ui.login"))
    response = render_template("error.html", status=status, detail=detail, errors=extra.get("errors")), status
    if extra.get("retry_after"):
        return response[0], status, {"Retry-After": str(extra["retry_after"])}
    return response
