"""Cancelling with a reason, messages in and out, the operator command, and the stored state format."""
from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import BPMN, HERE
from engine import runtime
from engine.services import definitions


def test_cancel_needs_a_reason_and_the_right_person_and_closes_the_open_tasks(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    url = f"/api/v1/process-instances/{case['id']}/cancel"
    assert "reason" in api.call("POST", url, as_="kepala", expect=422, json={"reason": ""}).get_json()["errors"]
    api.call("POST", url, as_="verifikator", expect=403, json={"reason": "tidak berwenang"})
    cancelled = api.call("POST", url, as_="kepala", expect=200, json={"reason": "permohonan ganda"}).get_json()
    assert cancelled["state"] == "cancelled" and cancelled["tasks"] == []
    api.call("POST", url, as_="kepala", expect=409, json={"reason": "lagi"})
    api.complete(case["tasks"][0]["id"], expect=409)
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    last = events["items"][-2:]
    assert [(e["type"], e["reason"]) for e in last] == [("instance.cancelled", "permohonan ganda"),
                                                       ("task.cancelled", None)]
    assert events["verified"]


def test_a_message_goes_out_and_the_answer_resumes_the_case(api):
    api.deploy(BPMN / "message.bpmn")
    case = api.start("uji_pesan", as_="kepala")
    waiting = api.complete(case["tasks"][0]["id"], {"usulan": "nonaktifkan CV X"}, as_="kepala")
    assert waiting["state"] == "running" and waiting["elements"]["tunggu"] == "waiting"
    url = f"/api/v1/process-instances/{case['id']}/messages"
    api.call("POST", url, as_="kepala", expect=409, json={"message": "lain", "payload": {}})
    done = api.call("POST", url, as_="kepala", expect=200,
                    json={"message": "jawaban_lkpp", "payload": {"disetujui": True}}).get_json()
    assert done["state"] == "completed" and done["data"]["jawaban"] == {"disetujui": True}
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    types = [e["type"] for e in events["items"]]
    assert types.index("message.sent") < types.index("message.received") < types.index("instance.completed")


def test_the_operator_command_deploys_creates_users_and_runs_the_worker(database_url, tmp_path, monkeypatch):
    from web.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", database_url)
    monkeypatch.setenv("ALUR_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(main, ["deploy", str(BPMN / "two_lanes.bpmn"), str(BPMN / "message.bpmn")])
    assert result.exit_code == 0, result.output
    assert "uji_dua_lajur v1" in result.output and "uji_pesan v1" in result.output
    again = runner.invoke(main, ["deploy", str(BPMN / "two_lanes.bpmn")])
    assert "unchanged" in again.output
    bad = tmp_path / "bad.bpmn"
    bad.write_text((BPMN / "two_lanes.bpmn").read_text().replace('name="verifikator"', 'name="Bagian X"'))
    refused = runner.invoke(main, ["deploy", str(bad)])
    assert refused.exit_code == 1 and "Bagian X" in refused.output
    created = runner.invoke(main, ["users", "create", "budi", "--role", "verifikator", "--password", "sandi-panjang-1"])
    assert created.exit_code == 0, created.output
    duplicate = runner.invoke(main, ["users", "create", "budi", "--role", "verifikator", "--password", "x" * 9])
    assert duplicate.exit_code == 1 and "budi" in duplicate.output
    assert runner.invoke(main, ["worker", "--once"]).exit_code == 0


def test_stored_state_of_every_golden_format_still_loads_and_runs(app, db, api):
    """State written by earlier versions must keep loading (tests/golden/*.json, one per format)."""
    api.deploy(BPMN / "two_lanes.bpmn")
    golden = json.loads((HERE / "golden" / "two_lanes_after_first_task.json").read_text())
    with db.reader() as session:
        version = definitions.latest_version(session, "uji_dua_lajur")
        bundle = definitions.bundle(session, version.id, version.process_id, version.model_hash)
    context = runtime.ExecContext(None, 0, "uji_dua_lajur", "test", None, app.config)
    assert golden["serializer_version"] == json.loads(golden["state"])["serializer_version"]
    workflow = runtime.load(bundle, golden["state"], context)
    [task] = runtime.human_tasks(workflow, bundle)
    assert task.element_id == "periksa"
    runtime.complete(workflow, task.id, {"approved": False})
    assert workflow.completed and runtime.case_data(workflow)["status"] == "ditolak"
    # And a round trip of today's format gives back the same state.
    assert runtime.dump(runtime.load(bundle, runtime.dump(workflow), context)) == runtime.dump(workflow)
