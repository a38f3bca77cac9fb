"""Properties of the foundation that nothing else would notice losing: SQLite's pragmas, argon2id
password hashes, RFC 9457 problem+json on every API error, an OpenAPI document that covers every
/api/v1 route with its schemas, and an inbox that walks its index however large the task table grows."""
from __future__ import annotations

import json
import re
import time

import pytest
from conftest import BPMN
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from engine.models import User
from engine.roles import ROLES
from engine.services import accounts, inbox
from engine.services.accounts import hash_password

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _api_routes(app):
    """(rule, method, concrete path) of every /api/v1 route, discovered from the app (routes added later too)."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<int:\w+>", "999999", rule.rule)
        path = re.sub(r"<(\w+:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.rule, method, path))
    return out


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(db, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's pragmas")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(IntegrityError):  # and foreign keys are really enforced
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO tasks (id, instance_id, process_id, element_id, name, state, "
                                    "created_at) VALUES ('t', 424242, 'p', 'e', 'n', 'ready', '2026-01-01')"))


def test_passwords_are_stored_as_argon2id_hashes(db, client):
    with db.unit_of_work() as session:
        accounts.create_user(session, "baru", "sandi-yang-panjang-1", ["layanan"])
    with db.reader() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "baru")).one()
    assert stored.startswith("$argon2id$") and "sandi-yang-panjang-1" not in stored
    assert hash_password("x").startswith("$argon2id$") and hash_password("x") != hash_password("x")  # salted
    assert client.post("/api/v1/auth/token", json={"username": "baru",
                                                   "password": "sandi-yang-panjang-1"}).status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "baru", "password": "salah"}).status_code == 401


def _is_problem(response) -> str | None:
    """Why ``response`` is not an RFC 9457 problem, or None when it is one."""
    if response.content_type != "application/problem+json":
        return f"content type {response.content_type}"
    body = json.loads(response.get_data())
    if body.get("status") != response.status_code or not body.get("title") or "type" not in body:
        return f"body {body}"
    return None


def test_every_api_error_of_every_route_and_role_is_problem_json(app, client, api):
    api.deploy(BPMN / "two_lanes.bpmn")
    wrong = []
    for rule, method, path in _api_routes(app):
        for caller in [None, *ROLES]:
            headers = {"Authorization": f"Bearer {api.token(caller)}"} if caller else {}
            response = client.open(path, method=method, headers=headers, json={} if method in UNSAFE else None)
            if response.status_code >= 400 and (why := _is_problem(response)):
                wrong.append((rule, method, caller, response.status_code, why))
            response.close()
    assert wrong == [], "\n".join(map(str, wrong))


def test_framework_errors_are_problem_json_too(client, api):
    token = {"Authorization": f"Bearer {api.token('kepala')}"}
    cases = [client.get("/api/v1/tidak-ada", headers=token),  # no such route
             client.delete("/api/v1/tasks", headers=token),  # no such method
             client.post("/api/v1/process-instances", headers={**token, "Content-Type": "application/json"},
                         data="{not json"),
             client.post("/api/v1/process-instances", headers=token, json=[1, 2]),
             client.get("/api/v1/tasks", headers={"Authorization": "Bearer rusak"}),
             client.get("/api/v1/tasks?limit=-1", headers=token)]
    assert [c.status_code for c in cases] == [404, 405, 400, 422, 401, 422]
    assert [_is_problem(c) for c in cases] == [None] * len(cases)


# POSTs that take no body at all: an action on the resource the path names.
NO_BODY = re.compile(r"/(claim|unclaim|retry|resume|rotate-secret|test|redeliver|read|read-all)$")
# The inbound hook's body is the sending system's own JSON, authenticated by its raw bytes (HMAC): its
# shape is set per hook by configuration (docs/webhooks.md), so the document cannot give it one schema.
RAW_BODY = {"/api/v1/hooks/{name}"}
RAW_RESPONSE = {("/api/v1/process-definitions/{process_id}/xml", "get"), ("/api/v1/documents/{document_id}", "get")}


def test_the_openapi_document_covers_every_api_route_with_request_and_response_schemas(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    served = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), method.lower()) for rule, method, _p in _api_routes(app)}
    assert served - documented == set()
    problems = []
    for path, method in sorted(served):
        operation = spec["paths"][path][method]
        if method in ("post", "put", "patch") and not NO_BODY.search(path) and path not in RAW_BODY:
            content = operation.get("requestBody", {}).get("content", {})
            if not content or not all("schema" in c for c in content.values()):
                problems.append((method, path, "request body has no schema"))
        if (path, method) in RAW_RESPONSE:
            continue
        for code, answer in operation["responses"].items():
            if code.startswith("2") and code != "204":
                content = answer.get("content", {})
                if not content or not all("schema" in c for c in content.values()):
                    problems.append((method, path, f"{code} has no schema"))
    assert problems == []
    # Errors are documented as problems, with the one schema.
    assert "Problem" in json.dumps(spec["components"]) or "problem+json" in json.dumps(spec)


def _plan(connection, statement, params, dialect: str) -> str:
    compiled = statement.compile(dialect=connection.dialect)
    values = compiled.construct_params(params)
    if dialect == "postgresql":
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled), values).scalar()
        return json.dumps(rows)
    sql = str(compiled)
    positional = tuple(values[k] for k in compiled.positiontup)
    return " | ".join(str(r) for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, positional).all())


def test_the_inbox_walks_the_open_role_index_of_a_large_task_table(api, db, database_url):
    """A table of 300,000 task rows (PostgreSQL; 60,000 on SQLite), nearly all closed, a few thousand open:
    the page and the counts are index scans of the partial index, never a scan of the table."""
    pg = not database_url.startswith("sqlite")
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    api.complete(case["tasks"][0]["id"], {"alamat": "Blitar"})
    rows = 300_000 if pg else 60_000
    roles = list(ROLES)
    with db.engine.begin() as connection:
        template = connection.execute(text("SELECT instance_id, process_id, created_at FROM tasks")).first()
        series = "generate_series(1, :n) AS i" if pg else \
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s)"
        role_of = " ".join(f"WHEN {k} THEN '{r}'" for k, r in enumerate(roles))
        connection.execute(text(
            f"INSERT INTO tasks (id, instance_id, process_id, element_id, name, role, state, created_at) "
            f"SELECT 'big-' || i, :instance, :process, 'periksa', 'Periksa', CASE (i % {len(roles)}) {role_of} END, "
            f"CASE WHEN i % 100 = 0 THEN 'ready' ELSE 'completed' END, :created FROM {series}"),
            {"n": rows, "instance": template.instance_id, "process": template.process_id,
             "created": template.created_at})
        connection.execute(text("ANALYZE tasks" if pg else "ANALYZE"))
    params = {"role_0": "verifikator", "me": "verifikator", "limit": 51}
    with db.engine.connect() as connection:
        page = _plan(connection, inbox._page_statement(1, False, False, "", None), params,
                     "postgresql" if pg else "sqlite")
        counts = _plan(connection, inbox._count_statement(1, False, ""), params, "postgresql" if pg else "sqlite")
    assert "ix_tasks_open_role" in page, page
    for plan in (page, counts):  # the counts may take the role/state index instead: an index all the same
        assert re.search(r"ix_tasks_(open_role|role_state_due)", plan), plan
        if pg:
            assert '"Seq Scan"' not in plan, plan
        else:
            assert re.search(r"SCAN tasks(?! USING)", plan) is None, plan
    from engine.principal import Principal

    who = Principal("verifikator", frozenset({"verifikator"}), 0)
    started = time.perf_counter()
    first = inbox.inbox(db, who, limit=50, with_counts=True)
    elapsed = time.perf_counter() - started
    with db.engine.connect() as connection:
        expected = connection.execute(text("SELECT count(*) FROM tasks WHERE role = 'verifikator' "
                                           "AND state = 'ready'")).scalar()
    assert len(first.items) == 50 and first.counts == {"uji_dua_lajur": expected} and expected > 50
    assert elapsed < 2.0, elapsed
