"""Versions of a process and migrating running cases onto a newer one, on SQLite and PostgreSQL.

The diagrams: ``two_lanes.bpmn`` (v1: isi_permohonan -> periksa -> keputusan), and in ``bpmn/versions/``
a v2 that inserts ``catat`` after ``periksa``, one that removes ``periksa`` and one that renames it.
"""
from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from conftest import BPMN
from engine.models import Instance, Task

V1 = BPMN / "two_lanes.bpmn"
V2_ADDS_A_STEP = BPMN / "versions" / "dua_lajur_v2_catat.bpmn"
WITHOUT_PERIKSA = BPMN / "versions" / "dua_lajur_v3_tanpa_periksa.bpmn"
PERIKSA_RENAMED = BPMN / "versions" / "dua_lajur_v4_ganti_nama.bpmn"
PROCESS = "uji_dua_lajur"


def _at_periksa(api) -> dict:
    """A v1 case whose applicant has filled in the form: ``periksa`` is open in the verifikator's inbox."""
    case = api.start(PROCESS)
    return api.complete(case["tasks"][0]["id"])


def _migrate(api, case_id: int, version, expect: int, as_: str = "analis", reason: str = "Perwali baru"):
    return api.call("POST", f"/api/v1/process-instances/{case_id}/migrate", as_=as_, expect=expect,
                    json={"version": version, "reason": reason}).get_json()


def _row(db, case_id: int) -> dict:
    with db.reader() as session:
        row = session.get(Instance, case_id)
        return {c: getattr(row, c) for c in ("process_version_id", "model_hash", "version", "workflow", "state",
                                             "journal_seq", "journal_head")}


def test_the_version_list_says_who_when_which_hash_and_what_changed(api):
    api.deploy(V1)
    api.deploy(V2_ADDS_A_STEP)
    items = api.call("GET", f"/api/v1/process-definitions/{PROCESS}/versions", as_="analis",
                     expect=200).get_json()["items"]
    assert [v["version"] for v in items] == [2, 1]
    newest, first = items
    assert newest["model_hash"] == hashlib.sha256(V2_ADDS_A_STEP.read_bytes()).hexdigest()
    assert newest["deployed_by"] == "analis" and newest["deployed_at"] and newest["previous_version"] == 1
    changes = newest["changes"]
    assert [c["element_id"] for c in changes["added"]] == ["catat"]
    assert changes["added"][0]["name"] == "Catat hasil" and changes["removed"] == []
    assert {c["element_id"]: c["attributes"] for c in changes["changed"]} == {
        "periksa": ["outputs"], "keputusan": ["inputs"]}
    assert first["changes"] is None and first["previous_version"] is None
    api.deploy(PERIKSA_RENAMED)  # v3, compared with v2: catat gone, periksa renamed and rewired
    latest = api.call("GET", f"/api/v1/process-definitions/{PROCESS}/versions", as_="auditor",
                      expect=200).get_json()["items"][0]["changes"]
    assert [c["element_id"] for c in latest["removed"]] == ["catat"]
    assert {c["element_id"]: c["attributes"] for c in latest["changed"]}["periksa"] == ["bpmn_name", "outputs"]
    api.call("GET", "/api/v1/process-definitions/tidak_ada/versions", as_="analis", expect=404)


def test_any_version_downloads_byte_for_byte_by_number_or_hash(api):
    api.deploy(V1)
    api.deploy(V2_ADDS_A_STEP)
    base = f"/api/v1/process-definitions/{PROCESS}/versions"
    first = api.call("GET", f"{base}/1/xml", as_="pengguna", expect=200)
    assert first.data == V1.read_bytes() and first.mimetype == "application/xml"
    assert 'filename="two_lanes.v1.bpmn"' in first.headers["Content-Disposition"]
    digest = hashlib.sha256(V2_ADDS_A_STEP.read_bytes()).hexdigest()
    assert api.call("GET", f"{base}/{digest[:10]}/xml", as_="analis", expect=200).data == V2_ADDS_A_STEP.read_bytes()
    assert api.call("GET", f"{base}/v2/xml", as_="analis", expect=200).data == V2_ADDS_A_STEP.read_bytes()
    assert api.call("GET", f"{base}/9/xml", as_="analis", expect=404).content_type == "application/problem+json"
    bad = api.call("GET", f"{base}/bukan-versi/xml", as_="analis", expect=422).get_json()
    assert "version" in bad["errors"]


def test_a_safe_migration_moves_the_case_and_it_runs_to_the_end_on_the_new_version(api, db):
    api.deploy(V1)
    case = _at_periksa(api)
    [open_task] = case["tasks"]
    assert open_task["element_id"] == "periksa" and case["process_version"] == 1
    api.deploy(V2_ADDS_A_STEP)
    v2_hash = hashlib.sha256(V2_ADDS_A_STEP.read_bytes()).hexdigest()
    moved = _migrate(api, case["id"], 2, 200)
    assert moved["process_version"] == 2 and moved["model_hash"] == v2_hash
    assert moved["version"] == case["version"] + 1  # the optimistic version moved with it
    # The inbox row is the same task (same id, still open, nobody's claim lost), not a new one.
    assert [t["id"] for t in moved["tasks"]] == [open_task["id"]]
    assert [t["id"] for t in api.inbox("verifikator")["items"]] == [open_task["id"]]
    with db.reader() as session:
        assert session.scalars(select(Task.state).where(Task.instance_id == case["id"])).all().count("ready") == 1
    fetched = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="kepala", expect=200).get_json()
    assert fetched["process_version"] == 2 and fetched["model_hash"] == v2_hash
    after = api.complete(open_task["id"], as_="verifikator")
    assert [t["element_id"] for t in after["tasks"]] == ["catat"]  # the step v2 added
    done = api.complete(after["tasks"][0]["id"], {"approved": True}, as_="verifikator")
    assert done["state"] == "completed" and done["data"]["status"] == "disetujui"
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"]
    [migrated] = [e for e in events["items"] if e["type"] == "instance.migrated"]
    v1_hash = hashlib.sha256(V1.read_bytes()).hexdigest()
    assert migrated["actor"] == "analis" and migrated["role"] == "analis" and migrated["reason"] == "Perwali baru"
    assert migrated["data"] == {"from": {"version": 1, "model_hash": v1_hash},
                                "to": {"version": 2, "model_hash": v2_hash}}
    later = [e for e in events["items"] if e["seq"] >= migrated["seq"]]
    assert {e["model_hash"] for e in later} == {v2_hash}


def test_an_unsafe_migration_is_refused_naming_the_element_and_nothing_changes(api, db):
    api.deploy(V1)
    case = _at_periksa(api)
    api.deploy(WITHOUT_PERIKSA)
    before = _row(db, case["id"])
    refused = _migrate(api, case["id"], 2, 409)
    assert refused["elements"] == [{"element_id": "periksa", "name": "Periksa permohonan", "state": "ready",
                                    "problem": "removed", "attributes": [], "replaced_by": None}]
    assert "periksa" in refused["detail"] and refused["current_version"] == 1
    assert _row(db, case["id"]) == before
    api.deploy(PERIKSA_RENAMED)  # v3: periksa renamed while it is open
    changed = _migrate(api, case["id"], 3, 409, as_="kepala")
    assert changed["elements"][0]["problem"] == "changed" and changed["elements"][0]["attributes"] == ["bpmn_name"]
    assert _row(db, case["id"]) == before
    # ... and the case carries on, on v1, to its end.
    done = api.complete(case["tasks"][0]["id"], {"approved": False}, as_="verifikator")
    assert done["state"] == "completed" and done["process_version"] == 1 and done["data"]["status"] == "ditolak"
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"] and "instance.migrated" not in {e["type"] for e in events["items"]}


def test_a_case_that_has_not_reached_the_changed_step_may_move(api):
    api.deploy(V1)
    early = api.start(PROCESS)  # still at isi_permohonan: the renamed periksa lies ahead of it
    api.deploy(PERIKSA_RENAMED)
    moved = _migrate(api, early["id"], "2", 200, as_="kepala")
    after = api.complete(moved["tasks"][0]["id"])
    assert after["process_version"] == 2 and after["tasks"][0]["name"] == "Periksa berkas"


def test_migration_refuses_what_makes_no_sense(api):
    api.deploy(V1)
    case = api.start(PROCESS)
    url = f"/api/v1/process-instances/{case['id']}/migrate"
    api.call("POST", url, as_="verifikator", expect=403, json={"version": 1, "reason": "x"})
    api.call("POST", url, as_="auditor", expect=403, json={"version": 1, "reason": "x"})
    api.call("POST", url, as_="penyedia", expect=403, json={"version": 1, "reason": "x"})
    assert "reason" in api.call("POST", url, as_="analis", expect=422, json={"version": 1}).get_json()["errors"]
    assert "newer" in _migrate(api, case["id"], 1, 409)["detail"]  # the version it is on
    _migrate(api, case["id"], 5, 404)
    assert "version" in _migrate(api, case["id"], "latest", 422)["errors"]
    _migrate(api, 999999, 1, 404)
    api.deploy(V2_ADDS_A_STEP)
    cancelled = api.call("POST", f"/api/v1/process-instances/{case['id']}/cancel", as_="kepala", expect=200,
                         json={"reason": "ganda"}).get_json()
    assert "cancelled" in _migrate(api, cancelled["id"], 2, 409)["detail"]


def test_the_process_wide_migration_moves_what_can_move_and_says_why_not(api, monkeypatch, database_url, tmp_path):
    from web.cli import main

    api.deploy(V1)
    early = api.start(PROCESS)
    late = _at_periksa(api)
    api.deploy(PERIKSA_RENAMED)
    monkeypatch.setenv("ALUR_DATABASE_URL", database_url)
    monkeypatch.setenv("ALUR_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    dry = runner.invoke(main, ["definitions", "migrate", PROCESS, "--to", "2", "--dry-run"])
    assert dry.exit_code == 2, dry.output
    assert f"case {early['id']} v1 -> v2: would move" in dry.output
    assert f"case {late['id']} v1 -> v2: stays" in dry.output and "periksa" in dry.output
    assert "would move 1 of 2" in dry.output
    for case in (early, late):  # a dry run moves nothing
        assert api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="analis",
                        expect=200).get_json()["process_version"] == 1
    real = runner.invoke(main, ["definitions", "migrate", PROCESS, "--to", "2", "--by", "budi"])
    assert f"case {early['id']} v1 -> v2: moved" in real.output and "moved 1 of 2" in real.output
    got = {c["id"]: c["process_version"] for c in (
        api.call("GET", f"/api/v1/process-instances/{x['id']}", as_="analis", expect=200).get_json()
        for x in (early, late))}
    assert got == {early["id"]: 2, late["id"]: 1}
    listed = runner.invoke(main, ["definitions", "versions", PROCESS])
    assert listed.exit_code == 0 and "v2 " in listed.output and "~ periksa (bpmn_name)" in listed.output
    over_api = api.call("POST", f"/api/v1/process-definitions/{PROCESS}/migrate", as_="analis", expect=200,
                        json={"version": 2, "reason": "lagi", "dry_run": True}).get_json()["items"]
    assert [(o["instance_id"], o["movable"], o["migrated"]) for o in over_api] == [(late["id"], False, False)]
    assert over_api[0]["obstacles"][0]["element_id"] == "periksa"


@pytest.mark.parametrize("role", ["analis", "kepala"])
def test_the_migration_is_journaled_with_who_and_why(api, role):
    api.deploy(V1)
    case = api.start(PROCESS)
    api.deploy(V2_ADDS_A_STEP)
    _migrate(api, case["id"], 2, 200, as_=role, reason="SOP direvisi")
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    [event] = [e for e in events["items"] if e["type"] == "instance.migrated"]
    assert (event["actor"], event["role"], event["reason"]) == (role, role, "SOP direvisi")


def test_a_failed_script_fixed_in_a_new_version_is_migrated_then_retried(api, tmp_path):
    """The element in error may change: that is how a bad script is fixed under a running case."""
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    failed = api.complete(case["tasks"][0]["id"], as_="admin_sistem")
    assert failed["state"] == "error" and failed["error"]["element_id"] == "hitung"
    fixed = tmp_path / "failing.bpmn"
    fixed.write_text((BPMN / "failing.bpmn").read_text().replace("total / pembagi", "total / max(pembagi, 1)"))
    api.deploy(fixed)
    moved = _migrate(api, case["id"], 2, 200)
    assert moved["state"] == "error" and moved["process_version"] == 2
    retried = api.call("POST", f"/api/v1/process-instances/{case['id']}/retry", as_="analis", expect=200).get_json()
    assert retried["state"] == "completed" and retried["data"]["total"] == 1


def test_a_waiting_timer_keeps_its_due_time_across_a_migration(api, db, app, tmp_path):
    from datetime import timedelta

    from engine import clock, worker

    api.deploy(BPMN / "timer_intermediate.bpmn")
    case = api.start("uji_timer_antara", as_="admin_sistem")
    due = _row_timer(db, case["id"])
    clock.advance(timedelta(minutes=40))
    renamed = tmp_path / "timer_intermediate.bpmn"
    renamed.write_text((BPMN / "timer_intermediate.bpmn").read_text().replace('name="Periksa"', 'name="Periksa ulang"'))
    api.deploy(renamed)
    _migrate(api, case["id"], 2, 200)
    assert _row_timer(db, case["id"]) == due  # not an hour from the migration
    clock.advance(timedelta(minutes=20, seconds=1))
    assert worker.run_once(db, app.config) == 1
    [task] = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="analis", expect=200).get_json()["tasks"]
    assert task["name"] == "Periksa ulang"


def _row_timer(db, case_id: int):
    with db.reader() as session:
        return session.get(Instance, case_id).next_timer_at


def test_two_migrations_at_once_move_the_case_once(api, db, app):
    """The optimistic version holds: of two simultaneous migrations one wins, the other gets a 409."""
    import threading

    from engine.errors import Conflict
    from engine.principal import Principal
    from engine.services import versions

    api.deploy(V1)
    case = _at_periksa(api)
    api.deploy(V2_ADDS_A_STEP)
    barrier, results = threading.Barrier(2), []

    def move(name: str) -> None:
        barrier.wait()
        try:
            versions.migrate_instance(db, case["id"], 2, "serentak", Principal(name, frozenset({"analis"})),
                                      app.config)
            results.append("moved")
        except Conflict:
            results.append("409")

    threads = [threading.Thread(target=move, args=(n,)) for n in ("satu", "dua")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["409", "moved"]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"] and [e["type"] for e in events["items"]].count("instance.migrated") == 1


def test_a_case_inside_a_subprocess_moves_and_takes_the_step_added_there(api):
    api.deploy(BPMN / "versions" / "sub_v1.bpmn")
    case = api.start("uji_sub", as_="layanan")
    [task] = case["tasks"]
    assert task["element_id"] == "isi"
    api.deploy(BPMN / "versions" / "sub_v2.bpmn")
    [entry] = [v for v in api.call("GET", "/api/v1/process-definitions/uji_sub/versions", as_="analis",
                                   expect=200).get_json()["items"] if v["version"] == 2]
    assert [c["element_id"] for c in entry["changes"]["added"]] == ["periksa_dalam"]
    moved = _migrate(api, case["id"], 2, 200)
    assert [t["id"] for t in moved["tasks"]] == [task["id"]]
    step = api.complete(task["id"], as_="layanan")
    assert [t["element_id"] for t in step["tasks"]] == ["periksa_dalam"]
    step = api.complete(step["tasks"][0]["id"], as_="layanan")
    assert [t["element_id"] for t in step["tasks"]] == ["tutup"]
    assert api.complete(step["tasks"][0]["id"], as_="layanan")["state"] == "completed"


def test_removing_the_open_step_inside_a_subprocess_is_refused(api, db, tmp_path):
    api.deploy(BPMN / "versions" / "sub_v1.bpmn")
    case = api.start("uji_sub", as_="layanan")
    text = (BPMN / "versions" / "sub_v2.bpmn").read_text()
    # v2 without "isi": the subprocess starts at periksa_dalam
    text = (text.replace('<bpmn:sequenceFlow id="d1" sourceRef="mulai_dalam" targetRef="isi" />',
                         '<bpmn:sequenceFlow id="d1" sourceRef="mulai_dalam" targetRef="periksa_dalam" />')
            .replace('<bpmn:sequenceFlow id="d2" sourceRef="isi" targetRef="periksa_dalam" />', "")
            .replace("<bpmn:incoming>d2</bpmn:incoming><bpmn:outgoing>d3</bpmn:outgoing>",
                     "<bpmn:incoming>d1</bpmn:incoming><bpmn:outgoing>d3</bpmn:outgoing>")
            .replace("<bpmn:flowNodeRef>isi</bpmn:flowNodeRef>", ""))
    start, end = text.index('<bpmn:userTask id="isi"'), text.index("</bpmn:userTask>", text.index('id="isi"'))
    path = tmp_path / "sub.bpmn"
    path.write_text(text[:start] + text[end + len("</bpmn:userTask>"):])
    api.deploy(path)
    before = _row(db, case["id"])
    refused = _migrate(api, case["id"], 2, 409)
    # SpiffWorkflow's diff matches periksa_dalam to isi by its place in the flow: isi is replaced.
    [(element, problem, state, replaced_by)] = [(e["element_id"], e["problem"], e["state"], e["replaced_by"])
                                                for e in refused["elements"]]
    assert (element, problem, state, replaced_by) == ("isi", "replaced", "ready", "periksa_dalam")
    assert "replaced by periksa_dalam" in refused["detail"]
    assert _row(db, case["id"]) == before
