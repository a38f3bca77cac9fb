"""GET /metrics in Prometheus text format: admin_sistem, or Prometheus with the scrape token."""
from __future__ import annotations

import functools
import hmac

from flask import current_app, request
from flask_smorest import Blueprint

from .. import metrics
from ..auth import roles
from ..extensions import database

blp = Blueprint("metrics", __name__, url_prefix="/", description="Prometheus metrics")


def scrape_token_or(*allowed: str):
    """Let a request carrying ``ALUR_METRICS_TOKEN`` through; everyone else needs one of ``allowed``."""

    def decorate(view):
        checked = roles(*allowed)(view)

        @functools.wraps(checked)
        def wrapper(*args, **kwargs):
            token = str(current_app.config.get("METRICS_TOKEN") or "")
            header = request.headers.get("Authorization", "")
            if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(),
                                                                                token.encode()):
                return view(*args, **kwargs)
            return checked(*args, **kwargs)

        return wrapper

    return decorate


@blp.route("/metrics")
@scrape_token_or("admin_sistem")
@blp.doc(responses={200: {"description": "Prometheus text exposition format 0.0.4",
                          "content": {"text/plain": {"schema": {"type": "string"}}}}})
def scrape():
    return current_app.response_class(metrics.exposition(database()), content_type=metrics.CONTENT_TYPE)
