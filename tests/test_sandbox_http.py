"""The whole escape-payload suite against a real server over HTTP: each payload, put in a script task, is
refused at deploy (422) or fails its case (state ``error`` naming the element); never a 5xx, never a hang;
afterwards ``/healthz`` still answers at once, and an honest case still runs."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import BPMN, PASSWORD
from test_sandbox import ESCAPES

TEMPLATE = (BPMN / "failing.bpmn").read_text()


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """What is tested is the evaluator and the server's health, not storage: SQLite keeps it quick."""
    import shutil

    target = tmp_path / "alur.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


class Http:
    def __init__(self, base: str, username: str = "admin_sistem"):
        self.base = base
        self.token = self.call("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})[1]["token"]

    def call(self, method: str, path: str, body=None, *, raw: bytes | None = None, content_type: str | None = None,
             timeout: float = 30):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", content_type or "application/json")
        if getattr(self, "token", None):
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def deploy(self, name: str, text: str):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/xml\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
        return self.call("POST", "/api/v1/process-definitions", raw=body,
                         content_type=f"multipart/form-data; boundary={boundary}")


def _diagram(key: str, source: str) -> str:
    escaped = source.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (TEMPLATE.replace("total = 1\ntotal = total / pembagi", escaped)
            .replace('id="uji_galat"', f'id="uji_{key}"'))


@pytest.mark.timeout(600)
def test_every_escape_payload_over_http_and_the_server_stays_healthy(live_server):
    analyst, http = Http(live_server.url, "analis"), Http(live_server.url)
    outcomes = {}
    for name, (source, _reason) in sorted(ESCAPES.items()):
        key = name.replace("-", "_")
        started = time.monotonic()
        status, body = analyst.deploy(f"{key}.bpmn", _diagram(key, source))
        assert status in (201, 422), (name, status, body)
        if status == 422:
            assert any(e["element_id"] == "hitung" for e in body["errors"]), (name, body)
            outcomes[name] = "refused at deploy"
        else:
            status, case = http.call("POST", "/api/v1/process-instances", {"process": f"uji_{key}", "data": {}})
            assert status == 201, (name, status, case)
            status, done = http.call("POST", f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", {"data": {}})
            assert status == 200, (name, status, done)
            assert done["state"] == "error" and done["error"]["element_id"] == "hitung", (name, done)
            outcomes[name] = "case in error"
        assert time.monotonic() - started < 15, name  # a bomb is stopped by its budget, not by the test's timeout
        status, health = http.call("GET", "/healthz", timeout=5)
        assert (status, health["status"]) == (200, "ok"), name
    assert len(outcomes) == len(ESCAPES)
    assert "refused at deploy" in outcomes.values() and "case in error" in outcomes.values()
    started = time.monotonic()
    assert http.call("GET", "/healthz", timeout=5)[0] == 200
    assert time.monotonic() - started < 1
    status, _ = analyst.deploy("two_lanes.bpmn", (BPMN / "two_lanes.bpmn").read_text())
    assert status == 201
    status, case = Http(live_server.url, "penyedia").call("POST", "/api/v1/process-instances",
                                                          {"process": "uji_dua_lajur", "data": {}})
    assert status == 201 and case["state"] == "running" and case["tasks"]
