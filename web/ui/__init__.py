"""The browser UI: server-rendered Jinja pages in Bahasa Indonesia first (English on request).

``init_app`` wires what every page shares: Flask-Babel, the session cookie and CSRF protection, the
security headers, the HTML error pages, the npm assets under ``/vendor/`` and the navigation. Pages
live in blueprints listed in ``BLUEPRINTS`` (one line each, like ``web/api/__init__.py``); every view is
wrapped in ``web.auth.roles(...)`` or ``web.auth.public`` like the API's.
"""
from __future__ import annotations

import importlib

from flask import Flask

from . import assets, errors, i18n, nav, security

# Modules under web/ui/ that define ``bp`` (a flask.Blueprint); add yours here.
BLUEPRINTS = ("core", "inbox", "tasks", "cases", "supplier", "modeler", "versions", "admin", "notifications",
              "audit")


def init_app(app: Flask) -> None:
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    assets.init_app(app)
    nav.init_app(app)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"{__name__}.{name}").bp)
