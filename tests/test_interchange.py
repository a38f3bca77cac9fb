"""Every file of the BPMN interchange corpus (bpmn.io, Camunda Modeler, Signavio, Trisotech, ...) deployed
over HTTP: it deploys and runs, or it is refused with a report naming each offending element and the fix.
Never a server error, never a hang."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import BPMN

CORPUS = BPMN / "interchange"


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """What is tested here is reading uploads, not storing them: SQLite only keeps the suite quick."""
    import shutil

    target = tmp_path / "alur.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"
FILES = sorted(p.name for p in CORPUS.glob("*.bpmn"))
# What the corpus does today; a change here is a decision, made on purpose.
DEPLOYS = {"C.9.1.bpmn", "bpmnio-A.4.0-export.bpmn", "bpmnio-C.2.0-export.bpmn"}
# Descriptive models whose only obstacle is isExecutable="false": set it, and they run.
RUN_WHEN_MARKED_EXECUTABLE = {"A.1.0.bpmn", "bpmnio-A.1.0-export.bpmn"}


def _ids(path: Path) -> set[str]:
    root = etree.parse(str(path)).getroot()
    return {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}


def test_the_corpus_is_all_here():
    assert len(FILES) == 42


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", FILES)
def test_each_interchange_file_deploys_or_is_refused_with_a_report(api, name):
    path = CORPUS / name
    response = api.deploy(path, expect=None)
    assert response.status_code in (201, 422), (response.status_code, response.get_json())
    body = response.get_json()
    if response.status_code == 201:
        assert name in DEPLOYS, f"{name} now deploys: add it to DEPLOYS"
        assert body["processes"]
        for process in body["processes"]:
            _drive(api, process["process_id"], path)
        return
    assert name not in DEPLOYS, body
    assert response.content_type == "application/problem+json"
    errors = [e for e in body["errors"] if e["severity"] == "error"]
    assert errors, body
    ids = _ids(path)
    for item in body["errors"]:
        assert item["message"] and item["fix"], item
        assert item["file"] == name
        assert item["element_id"] in ids, item  # every problem names a real element of the file
        assert isinstance(item["line"], int) and item["line"] > 0, item
        assert "reported by the engine" not in item["message"], item  # each engine error has a translation
        assert not re.search(r"<Element |Time Specification Error|RecursionError", item["message"]), item


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(RUN_WHEN_MARKED_EXECUTABLE))
def test_a_descriptive_model_runs_once_marked_executable(api, tmp_path, name):
    refused = api.deploy(CORPUS / name, expect=422).get_json()["errors"]
    assert [e["message"] for e in refused if e["severity"] == "error"] == [
        m for m in (e["message"] for e in refused) if "descriptive model" in m]
    marked = tmp_path / name
    marked.write_bytes((CORPUS / name).read_bytes().replace(b'isExecutable="false"', b'isExecutable="true"'))
    deployed = api.deploy(marked).get_json()
    for process in deployed["processes"]:
        _drive(api, process["process_id"], marked)


def test_the_vague_engine_messages_are_said_plainly(api):
    errors = api.deploy(CORPUS / "bpmnio-B.1.0-export.bpmn", expect=422).get_json()["errors"]
    [timer] = [e for e in errors if e["element_id"] == "StartEvent_1"]
    assert "timer without a time" in timer["message"] and "PT1H" in timer["fix"]
    assert timer["line"] == 15
    errors = api.deploy(CORPUS / "bpmnio-C.9.0-export.bpmn", expect=422).get_json()["errors"]
    handlers = {e["element_id"] for e in errors if "has no handler" in e["message"]}
    assert len(handlers) == 6  # every service task, not only the first the engine meets
    errors = api.deploy(CORPUS / "C.9.0.bpmn", expect=422).get_json()["errors"]
    feel = [e for e in errors if e["element_id"] == "SequenceFlow_ApplicationAccepted"]
    assert "FEEL" in feel[0]["message"] and feel[0]["fix"] == "Write it as: approved"


def _drive(api, process_id: str, path: Path, steps: int = 40) -> None:
    """Start a case and do every task (and deliver every awaited message) until it ends or waits on time."""
    versions = api.call("GET", f"/api/v1/process-definitions/{process_id}/versions", as_="analis",
                        expect=200).get_json()["items"]
    starter = versions[0]["starter_roles"][0]
    case = api.start(process_id, {}, as_=starter)
    messages = _catch_message_names(path)
    for _ in range(steps):
        assert case["state"] != "error", case["error"]
        if case["state"] == "completed":
            return
        if case["tasks"]:
            task = case["tasks"][0]
            case = api.complete(task["id"], {}, as_=task["role"] or starter)
            continue
        for message in messages:
            r = api.call("POST", f"/api/v1/process-instances/{case['id']}/messages", as_=starter,
                         json={"message": message, "payload": {}})
            assert r.status_code in (200, 409), r.get_json()
            if r.status_code == 200:
                case = r.get_json()
                break
        else:
            break  # waits for time: a timer the worker fires later
    assert case["state"] in ("running", "completed"), case
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"]


def _catch_message_names(path: Path) -> list[str]:
    root = etree.parse(str(path)).getroot()
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    messages = {m.get("id"): m.get("name") for m in root.iterfind(".//bpmn:message", ns)}
    names = []
    for definition in root.iterfind(".//bpmn:messageEventDefinition", ns):
        event = definition.getparent()
        if etree.QName(event).localname in ("startEvent", "intermediateCatchEvent", "boundaryEvent"):
            names.append(messages.get(definition.get("messageRef")) or event.get("name"))
    for task in root.iterfind(".//bpmn:receiveTask", ns):
        names.append(messages.get(task.get("messageRef")) or task.get("name"))
    return [n for n in names if n]
