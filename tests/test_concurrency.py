"""Two people completing the same task at the same moment, against the production server (gunicorn, several
processes): exactly one succeeds, the other gets 409, never a 5xx, and the journal stays one chain.

The suite runs ROUNDS rounds; ``tests/soak/concurrent_complete.py`` runs 1,000 (docs/reliability.md).
"""
from __future__ import annotations

import os

import pytest

import raceharness
from conftest import BPMN, PASSWORD
from crashharness import Server
from receivers import free_port

ROUNDS = int(os.environ.get("ALUR_CONCURRENCY_ROUNDS", "100"))


@pytest.fixture
def gunicorn(database_url, tmp_path, app):
    server = Server(database_url, tmp_path, free_port(), workers=3, log=tmp_path / "gunicorn.log")
    server.start()
    try:
        server.wait_ready()
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_concurrent_completions_of_one_task_give_one_success_and_one_conflict(gunicorn, api, tmp_path):
    api.deploy(BPMN / "two_lanes.bpmn")
    tally = raceharness.run(gunicorn, PASSWORD, ROUNDS)
    assert tally.problems == [], tally.problems[:5]
    assert tally.outcomes == {"200+409": ROUNDS} and tally.server_errors == 0, tally.line()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
