"""Two people completing the same task at the same moment, against the production server (gunicorn, several
processes): exactly one succeeds, the other gets 409, never a 5xx, and the journal stays one chain.

The suite runs ROUNDS rounds; ``tests/soak/concurrent_completions.py`` runs 1,000 (docs/reliability.md).
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from conftest import BPMN
from workerproc import ROOT, env

ROUNDS = int(os.environ.get("ALUR_CONCURRENCY_ROUNDS", "25"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path, app):
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers", "3"],
                               cwd=ROOT, env=env(database_url, tmp_path, ALUR_LOG_LEVEL="WARNING"), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _post(base: str, path: str, token: str, body: dict) -> tuple[int, dict]:
    parsed = urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        connection.request("POST", path, body=json.dumps(body),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_concurrent_completions_of_one_task_give_one_success_and_one_conflict(gunicorn, api):
    api.deploy(BPMN / "two_lanes.bpmn")
    token = api.token("penyedia")
    outcomes = []
    for round_ in range(ROUNDS):
        case = api.start("uji_dua_lajur", {"ronde": round_})
        task_id = case["tasks"][0]["id"]
        barrier = threading.Barrier(2)
        results: list[tuple[int, dict]] = []

        def complete(value, task_id=task_id, barrier=barrier, results=results):
            barrier.wait()
            results.append(_post(gunicorn, f"/api/v1/tasks/{task_id}/complete", token, {"data": {"pilihan": value}}))

        threads = [threading.Thread(target=complete, args=(v,)) for v in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in results)
        outcomes.append(statuses)
        assert statuses == [200, 409], (round_, results)
        conflict = next(body for status, body in results if status == 409)
        assert conflict["status"] == 409 and conflict["detail"]
        events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor",
                          expect=200).get_json()
        assert events["verified"]
        assert [e["type"] for e in events["items"]].count("task.completed") == 1
    assert len(outcomes) == ROUNDS
