"""The engine through its services: versions and pinning, errors in diagrams, timers, schedules, state."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import BPMN
from engine import bpmn, clock, registry
from engine.errors import WorkflowError
from engine.models import Instance, User
from engine.services import timers


@registry.handler("uji.catat_atau_gagal")
def _record_or_fail(ctx, nilai):
    """Test handler: writes an account (a real side effect in the case's transaction), then fails on 'gagal'."""
    from engine.services.accounts import create_user

    create_user(ctx.session, f"jejak_{ctx.instance_id}", "sandi-panjang-1", ["penyedia"])
    if nilai == "gagal":
        raise ConnectionError("sistem lain tidak menjawab")
    return {"diterima": nilai}


def _v2_of_two_lanes(tmp_path):
    changed = (BPMN / "two_lanes.bpmn").read_text().replace('name="Periksa permohonan"', 'name="Periksa ulang"')
    path = tmp_path / "two_lanes.bpmn"
    path.write_text(changed)
    return path


def test_same_bytes_are_a_no_op_a_changed_file_is_a_new_version_and_instances_stay_pinned(api, tmp_path):
    first = api.deploy(BPMN / "two_lanes.bpmn").get_json()["processes"][0]
    again = api.deploy(BPMN / "two_lanes.bpmn").get_json()["processes"][0]
    assert (again["version"], again["created"], again["model_hash"]) == (1, False, first["model_hash"])

    old_case = api.start("uji_dua_lajur")
    second = api.deploy(_v2_of_two_lanes(tmp_path)).get_json()["processes"][0]
    assert (second["version"], second["created"]) == (2, True)
    assert second["model_hash"] != first["model_hash"]
    versions = api.call("GET", "/api/v1/process-definitions/uji_dua_lajur/versions", as_="analis",
                        expect=200).get_json()["items"]
    assert [(v["version"], v["deployed_by"]) for v in versions] == [(2, "analis"), (1, "analis")]

    # The running case finishes on the version it started on; a new case runs the new version.
    after = api.complete(old_case["tasks"][0]["id"])
    assert after["tasks"][0]["name"] == "Periksa permohonan"
    assert after["model_hash"] == first["model_hash"] and after["process_version"] == 1
    new_case = api.complete(api.start("uji_dua_lajur")["tasks"][0]["id"])
    assert new_case["tasks"][0]["name"] == "Periksa ulang" and new_case["process_version"] == 2
    xml = api.call("GET", "/api/v1/process-definitions/uji_dua_lajur/xml?version=1", as_="auditor", expect=200)
    assert xml.data == (BPMN / "two_lanes.bpmn").read_bytes()


def test_a_failing_script_puts_the_case_in_error_with_element_line_and_text_and_keeps_the_completion(api):
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    done = api.complete(case["tasks"][0]["id"], {"catatan": "diperiksa"}, as_="admin_sistem")
    assert done["state"] == "error"
    assert done["error"]["element_id"] == "hitung"
    assert done["error"]["line"] == 2
    assert done["error"]["offending_line"] == "total = total / pembagi"
    assert "ZeroDivisionError" in done["error"]["message"]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    # A script bug no retry can fix opens an incident for admin_sistem at once (engine/services/incidents.py).
    assert [e["type"] for e in events["items"]][-3:] == ["task.completed", "error", "incident.opened"]
    assert events["verified"]
    listed = api.call("GET", "/api/v1/process-instances?state=error", as_="admin_sistem", expect=200).get_json()
    assert [i["id"] for i in listed["items"]] == [case["id"]]
    # Retrying without fixing the cause fails the same way, and says so.
    again = api.call("POST", f"/api/v1/process-instances/{case['id']}/retry", as_="admin_sistem",
                     expect=200).get_json()
    assert again["state"] == "error" and again["error"]["element_id"] == "hitung"


def test_a_failing_handler_leaves_nothing_half_applied(api, db):
    api.deploy(BPMN / "service.bpmn")
    good = api.start("uji_layanan", {"nilai": "ok"}, as_="admin_sistem")
    finished = api.complete(good["tasks"][0]["id"], as_="admin_sistem")
    assert finished["state"] == "completed" and finished["data"]["hasil"] == {"diterima": "ok"}

    bad = api.start("uji_layanan", {"nilai": "gagal"}, as_="admin_sistem")
    failed = api.complete(bad["tasks"][0]["id"], as_="admin_sistem")
    assert failed["state"] == "error"
    assert failed["error"]["element_id"] == "catat"
    assert "ConnectionError" in failed["error"]["message"]
    with db.reader() as session:
        names = set(session.scalars(select(User.username)))
    assert f"jejak_{good['id']}" in names  # the successful handler's write committed with its step
    assert f"jejak_{bad['id']}" not in names  # the failed handler's write was rolled back
    events = api.call("GET", f"/api/v1/process-instances/{good['id']}/events", as_="auditor", expect=200).get_json()
    run = [e for e in events["items"] if e["type"] == "service.run"][0]
    assert (run["element_id"], run["data"]["handler"], run["pasal"]) == ("catat", "uji.catat_atau_gagal", "19(1)")


def test_a_boundary_timer_fires_once_when_due(api, db, app):
    api.deploy(BPMN / "boundary_timer.bpmn")
    case = api.start("uji_batas_waktu", as_="admin_sistem")
    with db.reader() as session:
        due = session.get(Instance, case["id"]).next_timer_at
    assert timedelta(hours=23) < due - clock.now() <= timedelta(days=1)
    assert timers.run_due(db, app.config) == 0  # not yet due

    clock.advance(timedelta(days=1, minutes=1))
    assert timers.run_due(db, app.config) == 1
    assert timers.run_due(db, app.config) == 0  # fired once
    detail = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="admin_sistem", expect=200).get_json()
    assert [t["element_id"] for t in detail["tasks"]] == ["eskalasi"]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    types = [e["type"] for e in events["items"]]
    assert types.count("timer.fired") == 1
    assert "task.cancelled" in types and events["verified"]


def test_a_process_with_a_start_timer_is_a_schedule_and_each_instance_starts_at_once(api):
    doc = bpmn.read((BPMN / "scheduled.bpmn").read_bytes(), "scheduled.bpmn", max_bytes=1 << 20, max_depth=64)
    [info], problems = bpmn.analyse([doc])
    assert [p for p in problems if p["severity"] == "error"] == []
    assert info.schedule == bpmn.Schedule("cycle", "R/2026-01-01T07:00:00+07:00/P1D", "start")
    api.deploy(BPMN / "scheduled.bpmn")
    case = api.start("uji_terjadwal", {"scheduled_for": "2026-11-26T07:00:00+07:00"}, as_="admin_sistem")
    assert [t["element_id"] for t in case["tasks"]] == ["cek"]


@pytest.mark.parametrize("payload, status, needle", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 422, "DOCTYPE"),
    (b"not xml at all", 422, "well-formed"),
    (b'<a xmlns="urn:x"/>', 422, "not a BPMN"),
    (b"<a>" * 200 + b"</a>" * 200, 422, "deeper"),
])
def test_hostile_or_broken_uploads_are_refused_with_a_reason(api, tmp_path, payload, status, needle):
    path = tmp_path / "bad.bpmn"
    path.write_bytes(payload)
    problem = api.deploy(path, expect=status).get_json()
    assert needle in problem["detail"] + str(problem.get("errors"))


def test_an_oversized_upload_is_refused(api, tmp_path, app):
    app.config["MAX_BPMN_BYTES"] = 1000
    path = tmp_path / "big.bpmn"
    path.write_bytes((BPMN / "two_lanes.bpmn").read_bytes())
    assert api.deploy(path, expect=413).get_json()["status"] == 413


def test_unknown_lanes_forms_and_handlers_are_refused_naming_the_element(api, tmp_path):
    text = (BPMN / "service.bpmn").read_text()
    text = text.replace('name="admin_sistem"', 'name="Bagian Umum"').replace("uji.catat_atau_gagal", "tidak.ada")
    text = text.replace('<spiffworkflow:property name="pasal" value="19(1)" />',
                        '<spiffworkflow:property name="form" value="tidak.ada" />', 1)
    path = tmp_path / "bad.bpmn"
    path.write_text(text)
    errors = api.deploy(path, expect=422).get_json()["errors"]
    assert any(e["element_id"] == "periksa" and "Bagian Umum" in e["message"] for e in errors)
    assert any(e["element_id"] == "catat" and "tidak.ada" in e["message"] for e in errors)
    assert any(e["element_id"] == "periksa" and "form" in e["message"] for e in errors)
    assert all(e["fix"] for e in errors)


def test_unsafe_user_code_is_refused_at_deploy(api, tmp_path):
    text = (BPMN / "failing.bpmn").read_text().replace("total = total / pembagi",
                                                      "total = ().__class__.__bases__[0].__subclasses__()")
    path = tmp_path / "unsafe.bpmn"
    path.write_text(text)
    errors = api.deploy(path, expect=422).get_json()["errors"]
    assert any(e["element_id"] == "hitung" and "__class__" in e["message"] for e in errors)


def test_workflow_error_carries_element_and_line():
    error = WorkflowError("boom", "hitung", 2, "x = 1/0")
    assert error.as_dict() == {"element_id": "hitung", "message": "boom", "line": 2, "offending_line": "x = 1/0"}
