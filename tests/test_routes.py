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
            "/notifications/read-all", "/notifications/settings", "/pemberitahuan/<int:notification_id>/baca",
            "/pemberitahuan/baca-semua", "/pemberitahuan/pengaturan"}


def test_an_auditor_reads_and_never_writes(app):
    writers = [(rule, method) for rule, method, _p, declared in routes(app)
               if method in UNSAFE and declared != "public" and "auditor" in declared and rule not in PERSONAL]
    assert writers == []


def test_replay_and_the_auditor_pages_are_for_readers_of_every_case(app):
    """Issue 5: the replay API for staff and auditors (who see every case); the auditor pages for the auditor
    and the head of the LPSE; all of them read-only (GET)."""
    from engine.roles import READ_ONLY, STAFF

    declared = {(rule, method): set(roles) for rule, method, _p, roles in routes(app)}
    assert declared[("/api/v1/process-instances/<int:instance_id>/replay", "GET")] == STAFF | READ_ONLY
    for rule in ("/audit", "/audit/kasus/<int:instance_id>", "/audit/kasus/<int:instance_id>/kepatuhan"):
        assert declared[(rule, "GET")] == {"auditor", "kepala"}, rule
    assert not [key for key in declared if key[0].startswith(("/audit", "/api/v1/process-instances/<int:instance_id>/replay"))
                and key[1] != "GET"]


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
                # /metrics is for Prometheus, not people: a 401 problem, not a redirect to the sign-in page.
                wanted = 401 if path.startswith("/api/") or path == "/metrics" else 302
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
        if path == "/metrics":  # a machine's endpoint: told 401 in problem+json, as the API is
            assert response.status_code == 401 and response.mimetype == "application/problem+json", rule
            continue
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


# Versions (issue 6): everyone reads the history and the files; only analis and kepala move cases.
VERSION_ROUTES = {
    ("/api/v1/process-definitions/<process_id>/versions", "GET"): set(ROLES),
    ("/api/v1/process-definitions/<process_id>/versions/<ref>/xml", "GET"): set(ROLES),
    ("/api/v1/process-definitions/<process_id>/migrate", "POST"): {"analis", "kepala"},
    ("/api/v1/process-instances/<int:instance_id>/migrate", "POST"): {"analis", "kepala"},
}


def test_the_version_routes_are_declared_for_the_expected_roles(app):
    declared = {(rule, method): set(roles) for rule, method, _p, roles in routes(app)
                if (rule, method) in VERSION_ROUTES}
    assert declared == VERSION_ROUTES


# The admin and notification pages allow exactly whom their API allows (docs/admin.md).
PAGE_ROLES = {
    "/admin/webhook": {"admin_sistem"},
    "/admin/insiden": {"admin_sistem", "kepala", "analis", "auditor"},
    "/admin/insiden/<int:incident_id>/ulangi": {"admin_sistem", "kepala", "analis"},
    "/admin/insiden/<int:incident_id>/selesaikan": {"admin_sistem", "kepala"},
    "/admin/surat": {"admin_sistem"},
    "/pemberitahuan": set(ROLES),
    "/pemberitahuan/gagal": {"sekretariat", "admin_sistem", "kepala"},
    "/pemberitahuan/gagal/<int:outbox_id>/kirim-ulang": {"sekretariat", "admin_sistem"},
    "/pemberitahuan/templat": {"sekretariat", "analis", "admin_sistem"},
    "/pemberitahuan/templat/<name>/kembalikan": {"sekretariat", "analis"},
    "/pekerjaan/<int:job_id>": set(ROLES),
}


def test_the_admin_pages_allow_whom_their_api_allows(app):
    declared = {}
    for rule, _method, _path, roles in routes(app):
        if rule.startswith(("/admin/", "/pemberitahuan", "/pekerjaan")):
            declared.setdefault(rule, set()).update(roles)
    for rule, allowed in PAGE_ROLES.items():
        assert declared[rule] == allowed, rule
    webhook_rules = [rule for rule in declared if rule.startswith("/admin/webhook")]
    assert len(webhook_rules) >= 9 and all(declared[rule] == {"admin_sistem"} for rule in webhook_rules)
