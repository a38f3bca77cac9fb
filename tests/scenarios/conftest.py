"""Scenario tests walk whole SOPs through the API with the role accounts, as staff would.

``sop`` deploys every diagram of ``workflows/bpmn`` once per test (as ``alur dev`` does) and adds a few
readings on top of the ``api`` helper: the open task of an element, the journal, documents.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

BPMN_DIR = Path(__file__).resolve().parents[2] / "workflows" / "bpmn"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Sop:
    PDF = PDF

    def __init__(self, api):
        self.api = api

    def task(self, case_id: int, element_id: str, as_: str) -> dict:
        """The open task of ``element_id`` in case ``case_id``, as seen in the inbox of ``as_``."""
        for item in self.api.inbox(as_, limit=500)["items"]:
            if item["instance_id"] == case_id and item["element_id"] == element_id:
                return item
        open_ = [(t["element_id"], t["role"]) for t in self.case(case_id)["tasks"]]
        raise AssertionError(f"no task {element_id} for {as_} in case {case_id}; open: {open_}")

    def do(self, case_id: int, element_id: str, as_: str, data: dict | None = None, expect: int = 200) -> dict:
        result = self.api.complete(self.task(case_id, element_id, as_)["id"], data or {}, as_=as_, expect=expect)
        assert result.get("state") != "error", result.get("error")
        return result

    def start(self, process: str, data: dict | None = None, as_: str = "penyedia") -> dict:
        case = self.api.start(process, data, as_=as_)
        assert case["state"] != "error", case["error"]
        return case

    def case(self, case_id: int, as_: str = "auditor") -> dict:
        return self.api.call("GET", f"/api/v1/process-instances/{case_id}", as_=as_, expect=200).get_json()

    def events(self, case_id: int) -> list[dict]:
        body = self.api.call("GET", f"/api/v1/process-instances/{case_id}/events", as_="auditor",
                             expect=200).get_json()
        assert body["verified"], body
        return body["items"]

    def of_type(self, case_id: int, type_: str) -> list[dict]:
        return [e for e in self.events(case_id) if e["type"] == type_]

    def upload(self, name: str = "salinan.pdf", as_: str = "penyedia", content: bytes = PDF) -> str:
        return self.api.call("POST", "/api/v1/documents", as_=as_, expect=201, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(content), name)}).get_json()["id"]

    def download(self, document_id: str, as_: str = "auditor") -> bytes:
        response = self.api.call("GET", f"/api/v1/documents/{document_id}", as_=as_, expect=200)
        try:
            return response.get_data()
        finally:
            response.close()

    def message(self, case_id: int, message: str, payload: dict, as_: str = "kepala", expect: int = 200) -> dict:
        return self.api.call("POST", f"/api/v1/process-instances/{case_id}/messages", as_=as_, expect=expect,
                             json={"message": message, "payload": payload}).get_json()

    def login(self, username: str, password: str) -> int:
        return self.api.client.post("/api/v1/auth/token", json={"username": username,
                                                                 "password": password}).status_code


@pytest.fixture
def sop(api) -> Sop:
    api.deploy(*sorted(BPMN_DIR.glob("*.bpmn")))
    return Sop(api)


@pytest.fixture(autouse=True)
def replays_its_journal(app):
    """After every scenario, every case it made is replayed from its journal and must reproduce it
    (engine/replay.py; docs/replay.md)."""
    yield
    from engine.services import replay

    checks = list(replay.check_all(app.extensions["alur_db"], app.config))
    assert [(c.instance_id, c.process_id, c.divergence.problem) for c in checks if c.divergence] == []
