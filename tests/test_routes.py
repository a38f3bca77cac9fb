"""Every route declares who may use it; none can forget its check."""
from __future__ import annotations

import re

from engine.roles import ROLES


def test_every_route_declares_its_roles(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("api-docs."):
            continue
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "alur_roles", None)
        while declared is None and hasattr(view, "__wrapped__"):
            view = view.__wrapped__
            declared = getattr(view, "alur_roles", None)
        if declared is None:
            undeclared.append(rule.rule)
        elif declared != "public":
            assert set(declared) <= set(ROLES), rule.rule
    assert undeclared == []


def test_protected_routes_refuse_anonymous_callers(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("api-docs."):
            continue
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "alur_roles", None)
        while declared is None and hasattr(view, "__wrapped__"):
            view = view.__wrapped__
            declared = getattr(view, "alur_roles", None)
        if declared == "public":
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        path = re.sub(r"<(\w+:)?\w+>", "x", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method)
            assert response.status_code == 401, (method, rule.rule, response.status_code)
