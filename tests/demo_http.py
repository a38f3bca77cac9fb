"""A real Alur as ``alur dev`` makes it, and an HTTP client that speaks to it like the ``api`` fixture.

``DemoServer`` runs ``alur dev`` (upgrade, deploy workflows/bpmn, demo accounts, gunicorn with its worker)
in a process group of its own on a free port. ``HttpApi`` has the interface of ``conftest.Api`` (``call``,
``start``, ``inbox``, ``complete``, ``client.post``), over real HTTP with the demo accounts' password, so
the scenario helpers of tests/scenarios drive the real server unchanged.
"""
from __future__ import annotations

import json as jsonlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

from receivers import free_port
from workerproc import ROOT

DEMO_PASSWORD = "alur-demo-2026"  # the documented default of ALUR_DEMO_PASSWORD


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code = status
        self.headers = headers
        self._body = body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def get_json(self):
        return jsonlib.loads(self._body) if self._body else None

    def get_data(self) -> bytes:
        return self._body

    def close(self) -> None:
        pass


def _multipart(fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            stream, filename = value
            content = stream.read() if hasattr(stream, "read") else stream
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def request(base: str, method: str, path: str, headers: dict | None = None, json=None, data=None,
            content_type: str | None = None, query_string: dict | None = None) -> Response:
    headers = dict(headers or {})
    body = None
    if query_string:
        path += ("&" if "?" in path else "?") + urlencode(query_string)
    if json is not None:
        body, headers["Content-Type"] = jsonlib.dumps(json).encode(), "application/json"
    elif data is not None and content_type == "multipart/form-data":
        body, headers["Content-Type"] = _multipart(data)
    elif data is not None:
        body, headers["Content-Type"] = urlencode(data).encode(), "application/x-www-form-urlencoded"
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers, error.read())


class HttpClient:
    def __init__(self, base: str):
        self.base = base

    def post(self, path: str, **kwargs) -> Response:
        return request(self.base, "POST", path, **kwargs)

    def get(self, path: str, **kwargs) -> Response:
        return request(self.base, "GET", path, **kwargs)


class HttpApi:
    """``conftest.Api`` over HTTP: the same calls, against a running server, as the demo accounts."""

    def __init__(self, base: str, password: str = DEMO_PASSWORD):
        self.client = HttpClient(base)
        self.password = password
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": username, "password": self.password})
            assert r.status_code == 200, (username, r.get_json())
            self.tokens[username] = r.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, as_: str | None = None, expect: int | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        response = request(self.client.base, method, path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.get_json())
        return response

    def start(self, process: str, data: dict | None = None, as_: str = "penyedia", expect: int = 201):
        return self.call("POST", "/api/v1/process-instances", as_=as_, expect=expect,
                         json={"process": process, "data": data or {}}).get_json()

    def inbox(self, as_: str, **query):
        return self.call("GET", "/api/v1/tasks", as_=as_, expect=200, query_string=query).get_json()

    def complete(self, task_id: str, data: dict | None = None, as_: str = "penyedia", expect: int = 200):
        return self.call("POST", f"/api/v1/tasks/{task_id}/complete", as_=as_, expect=expect,
                         json={"data": data or {}}).get_json()


class DemoServer:
    """``alur dev`` on a free port against ``database_url``, stopped (with its worker) by ``stop``."""

    def __init__(self, database_url: str, var_dir: Path, **settings: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / "alur-dev.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
        env.update({"ALUR_DATABASE_URL": database_url, "ALUR_VAR_DIR": str(var_dir), "ALUR_PORT": str(self.port),
                    "ALUR_WEB_WORKERS": "2", "ALUR_LOG_LEVEL": "WARNING", **settings})
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "web.cli", "dev"], cwd=ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 120) -> "DemoServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if request(self.base, "GET", "/healthz").status_code == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"alur dev did not answer /healthz in {timeout} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
