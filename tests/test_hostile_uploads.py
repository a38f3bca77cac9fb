"""Hostile uploads are refused at once with a clear problem, read no file, reach no network, and leave the
server healthy. Each refusal takes under a second (benchmarks/hostile_uploads.py prints the timings); a timeout
guards against a hang."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BPMN
from hostile_payloads import _gzip_bomb, payloads

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CANARY_PORT = _free_port()  # chosen at import: the payloads below embed the canary's address


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """What is tested here is reading uploads, not storing them: SQLite only keeps the suite quick."""
    import shutil

    target = tmp_path / "alur.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        _Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY leaked 'yes'>")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    server = ThreadingHTTPServer(("127.0.0.1", CANARY_PORT), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{CANARY_PORT}"
    server.shutdown()
    server.server_close()


CASES = payloads(f"http://127.0.0.1:{CANARY_PORT}", 2 * 1024 * 1024)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name, payload, status, needle", CASES, ids=[c[0] for c in CASES])
def test_a_hostile_upload_is_refused_with_a_clear_problem(api, canary, tmp_path, name, payload, status, needle):
    path = tmp_path / "upload.bpmn"
    path.write_bytes(payload)
    api.token("analis")  # signing in (a password hash) is not part of the refusal's time
    started = time.perf_counter()
    response = api.deploy(path, expect=None)
    elapsed = time.perf_counter() - started
    assert response.status_code == status, (name, response.status_code, response.get_json())
    assert elapsed < 1.0, f"{name}: refused after {elapsed:.2f} s"  # the issue asks for well under a second
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    text = problem["detail"] + " " + " ".join(e["message"] + " " + e["fix"] for e in problem.get("errors") or [])
    assert needle.lower() in text.lower(), (name, problem)
    assert "root:" not in text and "/bin/bash" not in text  # nothing of /etc/passwd comes back
    assert _Canary.hits == [], _Canary.hits  # no entity, DTD, schema, XInclude or stylesheet was fetched
    # The server is healthy afterwards, and still deploys a good diagram.
    assert api.client.get("/healthz").status_code == 200
    api.deploy(BPMN / "two_lanes.bpmn")


@pytest.mark.timeout(10)
def test_a_gzip_body_with_content_encoding_is_not_inflated(api):
    """Werkzeug does not decode a compressed request body: the bomb stays 100 KB of bytes that are no form."""
    response = api.call("POST", "/api/v1/process-definitions", as_="analis", data=_gzip_bomb(),
                        headers={"Content-Encoding": "gzip", "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code in (400, 422), response.get_json()
    assert response.content_type == "application/problem+json"
    assert api.client.get("/healthz").status_code == 200
