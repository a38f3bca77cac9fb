"""Every route declares who may use it, and the declaration holds: each route is called by an anonymous
visitor and by every role, and answers accordingly. An auditor reads and never writes."""
from __future__ import annotations

import re

import pytest
from conftest import BPMN, Browserless

from engine.roles import ROLES

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def declared_roles(app, endpoint: str):
    view = app.view_functions[endpoint]
    declared = getattr(view, "alur_roles", None)
    while declared is None and hasattr(view, "__wrapped__"):
        view = view.__wrapped__
        declared = getattr(view, "alur_roles", None)
    return declared


def routes(app):
    """(rule, method, concrete path, declared roles) for every route Alur serves."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<int:\w+>", "999999", rule.rule)
        path = re.sub(r"<path:\w+>", "x/y.js", path)
        path = re.sub(r"<(\w+:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.rule, method, path, declared_roles(app, rule.endpoint)))
    return out


def test_every_route_declares_its_roles(app):
    undeclared = [rule for rule, _m, _p, declared in routes(app) if declared is None]
    assert undeclared == []
    for rule, _method, _path, declared in routes(app):
        if declared != "public":
            assert set(declared) <= set(ROLES), rule


# An auditor's own inbox of notifications is theirs to mark read and to configure: that changes nothing of
# any case, document or account but their own reading state.
PERSONAL = {"/api/v1/notifications/<int:notification_id>/read", "/api/v1/notifications/read-all",
            "/api/v1/notifications/settings", "/notifications/<int:notification_id>/read",
            "/notifications/read-all", "/notifications/settings"}


def test_an_auditor_reads_and_never_writes(app):
    writers = [(rule, method) for rule, method, _p, declared in routes(app)
               if method in UNSAFE and declared != "public" and "auditor" in declared and rule not in PERSONAL]
    assert writers == []


@pytest.fixture
def callers(app, api):
    """A signed-in browser session and an API token for every role (and the registration SOP deployed)."""
    app.config["REGISTRATION_PROCESS"] = "uji_registrasi"
    api.deploy(BPMN / "registrasi_uji.bpmn")
    sessions = {}
    for role in ROLES:
        browser = Browserless(app.test_client())
        browser.login(role)
        sessions[role] = browser
    return sessions


def _call(app, api, callers, caller, method, path):
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api.token(caller)}"} if caller else {}
        return app.test_client().open(path, method=method, headers=headers, json={} if method in UNSAFE else None)
    if caller is None:
        anonymous = Browserless(app.test_client())
        anonymous.get("/masuk")
        return anonymous.client.open(path, method=method, data={"csrf_token": anonymous.csrf}
                                     if method in UNSAFE else None)
    browser = callers[caller]
    if path == "/keluar":  # signing out would end the session the other calls use: sign out a spare one
        browser = Browserless(app.test_client())
        browser.login(caller)
    return browser.client.open(path, method=method, data={"csrf_token": browser.csrf} if method in UNSAFE else None)


def test_every_route_against_every_role(app, api, callers):
    surprises = []
    for rule, method, path, declared in routes(app):
        for caller in [None, *ROLES]:
            response = _call(app, api, callers, caller, method, path)
            status = response.status_code
            response.close()
            if status >= 500:
                surprises.append((rule, method, caller, status, "server error"))
            elif declared == "public":
                continue  # open to all (a sign-in form may still answer 401 to a wrong password)
            elif caller is None:
                wanted = 401 if path.startswith("/api/") else 302
                if status != wanted:
                    surprises.append((rule, method, caller, status, f"anonymous should get {wanted}"))
            elif caller in declared and status in (401, 403):
                surprises.append((rule, method, caller, status, "declared role refused"))
            elif caller in declared and "/masuk" in response.headers.get("Location", ""):
                surprises.append((rule, method, caller, status, "signed-in caller sent to sign in"))
            elif caller not in declared and status != 403:
                surprises.append((rule, method, caller, status, "undeclared role let through"))
    assert surprises == [], "\n".join(map(str, surprises))


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for rule, method, path, declared in routes(app):
        if declared == "public" or path.startswith("/api/") or method != "GET":
            continue
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk"), rule


# Issue 5: the journal's verification and checkpoints are for auditors, the head and the administrators;
# exporting case data (masked) is for auditors alone.
AUDIT_ROUTES = {
    ("/api/v1/audit/verify", "GET"): {"auditor", "kepala", "admin_sistem"},
    ("/api/v1/audit/checkpoints", "GET"): {"auditor", "kepala", "admin_sistem"},
    ("/api/v1/audit/export", "GET"): {"auditor"},
}


def test_audit_routes_declare_exactly_their_roles(app):
    declared = {(rule, method): set(roles) for rule, method, _p, roles in routes(app)
                if rule.startswith("/api/v1/audit/")}
    assert declared == AUDIT_ROUTES


# Issue 6: modelling, drafts and dry runs belong to the process analyst alone (deploying already does).
ANALYST_ONLY = ("/model", "/api/v1/drafts/", "/api/v1/dry-runs")


def test_modelling_and_dry_runs_are_the_analysts(app):
    found = {(rule, method): declared for rule, method, _p, declared in routes(app) if rule.startswith(ANALYST_ONLY)}
    assert {rule for rule, _method in found} >= {
        "/model", "/model/unggah", "/model/baru", "/model/<process_id>", "/model/<process_id>/unduh",
        "/api/v1/drafts/validate", "/api/v1/dry-runs", "/api/v1/dry-runs/<run_id>",
        "/api/v1/dry-runs/<run_id>/tasks/<task_id>/complete"}
    assert {key: set(roles) for key, roles in found.items() if set(roles) != {"analis"}} == {}
