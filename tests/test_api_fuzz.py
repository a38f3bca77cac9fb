"""schemathesis against the real server, once per role, a few examples per operation (tests/apifuzz.py):
no 5xx, and every status, media type and body is the one /api/openapi.json documents.
``tests/soak/api_fuzz.py`` runs the same with many more examples and every phase."""
from __future__ import annotations

import os

import pytest

import apifuzz
from conftest import BPMN, PASSWORD
from crashharness import Server
from engine.roles import ROLES
from receivers import free_port

EXAMPLES = int(os.environ.get("ALUR_FUZZ_EXAMPLES", "2"))


@pytest.fixture
def server(app, api, database_url, tmp_path):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur", {"ronde": 1})  # something to find: a case, its task, its journal
    running = Server(database_url, tmp_path, free_port(), workers=2, log=tmp_path / "server.log")
    running.start()
    try:
        running.wait_ready()
        yield f"http://127.0.0.1:{running.port}"
    finally:
        running.stop()


def test_every_role_gets_only_documented_answers_and_no_server_error(server, tmp_path):
    tokens = apifuzz.tokens(server, ROLES, PASSWORD)
    outcomes = [apifuzz.run_role(server, role, tokens[role], tmp_path, examples=EXAMPLES, seed=role_seed,
                                 phases="fuzzing")
                for role_seed, role in enumerate(ROLES, start=1)]
    failed = [o for o in outcomes if o.returncode != 0]
    assert failed == [], "\n\n".join(f"{o.role}:\n{o.failures[:5000]}" for o in failed)
    assert all(o.cases > 68 for o in outcomes), [o.summary for o in outcomes]
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_what_the_fuzzer_found_stays_fixed(api):
    """Numbers past the columns' range are refused before the database (they gave 500), with problem+json."""
    api.deploy(BPMN / "two_lanes.bpmn")
    for path, status in (("/api/v1/process-definitions/uji_dua_lajur/xml?version=-245502110606376", 422),
                         ("/api/v1/process-definitions/uji_dua_lajur/xml?version=2147483648", 422),
                         (f"/api/v1/webhooks/{2**70}", 404), (f"/api/v1/process-instances/{2**63}", 404)):
        response = api.call("GET", path, as_="admin_sistem", expect=status)
        assert response.mimetype == "application/problem+json", path
    assert api.call("GET", "/api/v1/process-definitions/uji_dua_lajur/xml?version=1", as_="auditor",
                    expect=200).mimetype == "application/xml"
