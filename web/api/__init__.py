"""The REST API (/api/v1): flask-smorest blueprints, OpenAPI 3 at /api/openapi.json."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..errors import http_error
from . import problems


class AlurApi(Api):
    ERROR_SCHEMA = problems.Problem

    def handle_http_exception(self, error):
        return http_error(error)

    def _register_responses(self):
        problems.register_responses(self)


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Alur")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = AlurApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    from . import announcements, auth, definitions, documents, forms, health, instances, tasks

    for module in (health, auth, definitions, instances, tasks, documents, forms, announcements):
        api.register_blueprint(module.blp)
    from . import hooks, webhooks  # issue 7: outgoing webhooks and incoming hooks

    api.register_blueprint(webhooks.blp)
    api.register_blueprint(hooks.blp)
    from . import notifications  # issue 10: notifications

    api.register_blueprint(notifications.blp)
    from . import replay  # issue 5: replay for auditors

    api.register_blueprint(replay.blp)
    from . import incidents, jobs, metrics, schedules  # the worker's side: issue 8

    for module in (incidents, jobs, schedules, metrics):
        api.register_blueprint(module.blp)
    from . import audit_chain  # issue 5: verify, checkpoints, export

    api.register_blueprint(audit_chain.blp)
    from . import drafts  # issue 6: drafts and dry runs

    api.register_blueprint(drafts.blp)
    from . import versions  # issue 6: version history and migrating cases

    api.register_blueprint(versions.blp)
    app.extensions["alur_api"] = api
