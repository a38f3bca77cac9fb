"""Browser packages installed from the npm registry by ``npm ci`` (``package.json``), served read-only
from ``node_modules`` under ``/vendor/<package>/<file>``. Only the built files of the packages listed
here are reachable:

- ``/vendor/bpmn-js/bpmn-viewer.production.min.js`` (``BpmnJS`` viewer), ``bpmn-navigated-viewer...``,
  ``bpmn-modeler.production.min.js``, and ``/vendor/bpmn-js/assets/diagram-js.css``,
  ``assets/bpmn-js.css``, ``assets/bpmn-font/css/bpmn.css``;
- ``/vendor/swagger-ui-dist/swagger-ui-bundle.js`` and ``swagger-ui.css`` (the API docs page).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, send_from_directory
from werkzeug.exceptions import NotFound

from ..auth import public

PACKAGES = {"bpmn-js": "bpmn-js/dist", "swagger-ui-dist": "swagger-ui-dist"}
SUFFIXES = {".js", ".css", ".woff", ".woff2", ".ttf", ".eot", ".svg", ".png"}


def init_app(app: Flask) -> None:
    app.add_url_rule("/vendor/<package>/<path:filename>", "vendor", vendor)


@public
def vendor(package: str, filename: str):
    folder = PACKAGES.get(package)
    if folder is None or Path(filename).suffix not in SUFFIXES:
        raise NotFound()
    root = Path(str(current_app.config["NODE_MODULES"])) / folder
    if not root.is_dir():
        raise NotFound(f"{package} is not installed: run `npm ci` in the checkout (./scripts/dev does).")
    return send_from_directory(root, filename, max_age=86400)
