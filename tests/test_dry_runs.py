"""Drafts are checked without deploying, and dry runs step through a draft or a deployed version with
test data while every live table (instances, tasks, journal, outbox, notifications) stays as it was."""
from __future__ import annotations

from conftest import BPMN
from sqlalchemy import func, select

from engine import registry
from engine.models import DryRun, Instance, JournalEvent, Notification, OutboxMessage, Task

HANDLER_CALLS: list[dict] = []


@registry.handler("uji.dry_run_tulis")
def _handler(ctx, **params):
    HANDLER_CALLS.append(params)  # a dry run must never get here
    return {"nomor": "LIVE-1"}


SERVICE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://alur.example">
  <bpmn:process id="uji_draf" name="Uji draf" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_a" name="{role}">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>isi</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="isi" name="Isi jumlah">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="pasal" value="12(1)" /></spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="tulis" name="Tulis ke sistem lain">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="uji.dry_run_tulis" resultVariable="hasil">
          <spiffworkflow:parameters><spiffworkflow:parameter id="jumlah" type="int" value="jumlah * 2" />
          </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="isi" />
    <bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="tulis" />
    <bpmn:sequenceFlow id="f3" sourceRef="tulis" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
LIVE = (Instance, Task, JournalEvent, OutboxMessage, Notification)


def live_counts(db) -> dict[str, int]:
    with db.reader() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in LIVE}


def test_a_draft_is_validated_without_being_deployed(api, db):
    report = api.call("POST", "/api/v1/drafts/validate", as_="analis", expect=200,
                      json={"xml": SERVICE.format(role="Bagian Umum")}).get_json()
    assert report["valid"] is False
    wrong = [e for e in report["errors"] if e["element_id"] in ("start", "isi")]
    assert {e["element_id"] for e in wrong} == {"start", "isi"}
    assert all('lane "Bagian Umum"' in e["message"] and "kepala" in e["fix"] for e in wrong)
    good = api.call("POST", "/api/v1/drafts/validate", as_="analis", expect=200,
                    json={"xml": SERVICE.format(role="layanan")}).get_json()
    assert good["valid"] is True and good["errors"] == []
    assert good["processes"] == [{"process_id": "uji_draf", "name": "Uji draf", "starter_roles": ["layanan"]}]
    assert api.call("GET", "/api/v1/process-definitions", as_="analis", expect=200).get_json()["items"] == []
    broken = api.call("POST", "/api/v1/drafts/validate", as_="analis", expect=200,
                      json={"xml": "<bpmn:definitions"}).get_json()
    assert broken["valid"] is False and "XML syntax error" in broken["errors"][0]["message"]


def test_a_draft_dry_run_steps_through_without_touching_live_tables(api, db):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur", {"x": 1})  # a live case, to see that it stays as it is
    before = live_counts(db)
    HANDLER_CALLS.clear()
    run = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=201, json={
        "xml": SERVICE.format(role="layanan"), "data": {"pemohon": "uji"},
        "service_results": {"tulis": {"nomor": "UJI-7"}}}).get_json()
    assert (run["source"], run["state"], run["version"]) == ("draft", "running", None)
    assert [(t["element_id"], t["lane"], t["pasal"]) for t in run["tasks"]] == [("isi", "layanan", "12(1)")]
    assert [p["element_id"] for p in run["path"]] == ["start"]
    assert run["elements"]["isi"] == "ready"

    task = run["tasks"][0]["id"]
    done = api.call("POST", f"/api/v1/dry-runs/{run['id']}/tasks/{task}/complete", as_="analis", expect=200,
                    json={"data": {"jumlah": 21}}).get_json()
    assert done["state"] == "completed" and done["tasks"] == []
    assert done["data"]["hasil"] == {"nomor": "UJI-7"} and done["data"]["jumlah"] == 21
    assert [p["element_id"] for p in done["path"]] == ["start", "isi", "tulis", "end"]
    service = [s for s in done["steps"] if s["action"] == "service"]
    assert service == [{"action": "service", "at": service[0]["at"], "element_id": "tulis",
                        "handler": "uji.dry_run_tulis", "params": {"jumlah": 42}, "result": {"nomor": "UJI-7"}}]
    assert HANDLER_CALLS == []  # the handler itself never ran
    assert live_counts(db) == before
    again = api.call("GET", f"/api/v1/dry-runs/{run['id']}", as_="analis", expect=200).get_json()
    assert again["state"] == "completed" and again["path"] == done["path"]
    listed = api.call("GET", "/api/v1/dry-runs", as_="analis", expect=200).get_json()["items"]
    assert [r["id"] for r in listed] == [run["id"]]
    api.call("DELETE", f"/api/v1/dry-runs/{run['id']}", as_="analis", expect=204)
    api.call("GET", f"/api/v1/dry-runs/{run['id']}", as_="analis", expect=404)


def test_a_deployed_version_dry_run_takes_each_path(api, db):
    api.deploy(BPMN / "two_lanes.bpmn")
    before = live_counts(db)
    for approved, status in ((True, "disetujui"), (False, "ditolak")):
        run = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=201,
                       json={"process_id": "uji_dua_lajur", "data": {}}).get_json()
        assert (run["source"], run["version"]) == ("version", 1)
        run = api.call("POST", f"/api/v1/dry-runs/{run['id']}/tasks/{run['tasks'][0]['id']}/complete",
                       as_="analis", expect=200, json={"data": {}}).get_json()
        assert [t["element_id"] for t in run["tasks"]] == ["periksa"]
        run = api.call("POST", f"/api/v1/dry-runs/{run['id']}/tasks/{run['tasks'][0]['id']}/complete",
                       as_="analis", expect=200, json={"data": {"approved": approved}}).get_json()
        assert run["state"] == "completed" and run["data"]["status"] == status
        assert ("tandai_setuju" if approved else "tandai_tolak") in [p["element_id"] for p in run["path"]]
    assert live_counts(db) == before
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(DryRun)) == 2


def test_dry_run_refusals_are_clear(api, db):
    refused = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=422,
                       json={"xml": SERVICE.format(role="Bagian Umum")}).get_json()
    assert refused["errors"] and {"isi", "start"} <= {e["element_id"] for e in refused["errors"]}
    neither = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=422, json={}).get_json()
    assert "xml" in neither["errors"]
    api.call("POST", "/api/v1/dry-runs", as_="analis", expect=404, json={"process_id": "tidak_ada"})
    run = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=201,
                   json={"xml": SERVICE.format(role="layanan")}).get_json()
    gone = api.call("POST", f"/api/v1/dry-runs/{run['id']}/tasks/nope/complete", as_="analis", expect=409,
                    json={"data": {}}).get_json()
    assert gone["open_tasks"] == [run["tasks"][0]["id"]]
    api.call("POST", "/api/v1/dry-runs", as_="kepala", expect=403, json={"process_id": "x"})
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(DryRun)) == 1


def test_a_failing_script_stops_the_dry_run_with_its_element(api, db):
    xml = (BPMN / "two_lanes.bpmn").read_text().replace('status = "disetujui"', "status = 1 / jumlah")
    run = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=201, json={"xml": xml}).get_json()
    for data in ({}, {"approved": True, "jumlah": 0}):
        run = api.call("POST", f"/api/v1/dry-runs/{run['id']}/tasks/{run['tasks'][0]['id']}/complete",
                       as_="analis", expect=200, json={"data": data}).get_json()
    assert run["state"] == "error" and run["error"]["element_id"] == "tandai_setuju"
    assert "division by zero" in run["error"]["message"] and run["tasks"] == []
    assert run["elements"]["tandai_setuju"] == "error"


def test_hostile_drafts_are_refused_before_anything_runs(api, db):
    bomb = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</bpmn:definitions>')
    report = api.call("POST", "/api/v1/drafts/validate", as_="analis", expect=200, json={"xml": bomb}).get_json()
    assert report["valid"] is False and "DOCTYPE" in report["errors"][0]["message"]
    refused = api.call("POST", "/api/v1/dry-runs", as_="analis", expect=422, json={"xml": bomb}).get_json()
    assert "DOCTYPE" in refused["detail"]
    deep = "<a>" * 5000 + "</a>" * 5000
    assert api.call("POST", "/api/v1/drafts/validate", as_="analis", expect=200,
                    json={"xml": deep}).get_json()["valid"] is False
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(DryRun)) == 0
