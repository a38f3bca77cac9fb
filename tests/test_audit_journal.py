"""Each journal event says who, in which role, when, on which element (id, name, pasal), under which model
version, what data changed (before and after), why where a reason is required, and for which request.
The database itself refuses a reasoned event (reassignment, cancellation, closing an incident) without one."""
from __future__ import annotations

import pytest
from conftest import BPMN
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from engine import clock, journal
from engine.journal import Event


def _events(api, instance_id: int) -> list[dict]:
    return api.call("GET", f"/api/v1/process-instances/{instance_id}/events", as_="auditor",
                    expect=200).get_json()["items"]


def test_every_event_carries_who_role_when_element_pasal_model_diff_and_request(api):
    model = api.deploy(BPMN / "two_lanes.bpmn").get_json()["processes"][0]["model_hash"]
    case = api.call("POST", "/api/v1/process-instances", as_="penyedia", expect=201, headers={"X-Request-ID": "req-1"},
                    json={"process": "uji_dua_lajur", "data": {"nama": "CV Maju"}}).get_json()
    api.call("POST", f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", as_="penyedia", expect=200,
             headers={"X-Request-ID": "req-2"}, json={"data": {"alamat": "Jl. Merdeka 1"}})
    api.call("POST", f"/api/v1/process-instances/{case['id']}/cancel", as_="kepala", expect=200,
             headers={"X-Request-ID": "req-3"}, json={"reason": "Pemohon menarik permohonan"})
    events = _events(api, case["id"])
    assert [(e["type"], e["request_id"]) for e in events] == [
        ("instance.started", "req-1"), ("task.ready", "req-1"), ("task.completed", "req-2"), ("task.ready", "req-2"),
        ("instance.cancelled", "req-3"), ("task.cancelled", "req-3")]
    assert {e["model_hash"] for e in events} == {model}
    assert all(e["at"] for e in events)
    started, ready, completed, _ready, cancelled, gone = events
    assert (started["actor"], started["role"]) == ("penyedia", "penyedia")
    assert started["data"]["after"] == {"nama": "CV Maju"}
    assert (ready["element_id"], ready["element_name"], ready["pasal"], ready["role"]) == (
        "isi_permohonan", "Isi permohonan", "17(1)a", "penyedia")
    assert (completed["actor"], completed["role"], completed["element_id"], completed["pasal"]) == (
        "penyedia", "penyedia", "isi_permohonan", "17(1)a")
    assert completed["data"]["before"] == {} and completed["data"]["after"] == {"alamat": "Jl. Merdeka 1"}
    assert (cancelled["actor"], cancelled["role"], cancelled["reason"]) == ("kepala", "kepala",
                                                                           "Pemohon menarik permohonan")
    assert (gone["element_id"], gone["pasal"]) == ("periksa", "12(2)c")


@pytest.mark.parametrize("kind", ["task.reassigned", "instance.cancelled", "incident.resolved"])
def test_the_database_refuses_a_reasoned_event_without_its_reason(api, db, kind):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    with db.engine.connect() as conn:
        seq, head, model = conn.execute(text("SELECT journal_seq, journal_head, model_hash FROM instances "
                                             "WHERE id = :i"), {"i": case["id"]}).one()
    for reason in (None, "   "):
        rows, _seq, _head = journal.rows_for(case["id"], model, seq, head, clock.now(), None,
                                             [Event(kind, actor="kepala", role="kepala", reason=reason)])
        with pytest.raises(DatabaseError, match="needs a reason"):
            with db.unit_of_work() as session:
                session.connection().execute(journal.JOURNAL_INSERT, rows)
    rows, _seq, _head = journal.rows_for(case["id"], model, seq, head, clock.now(), None,
                                         [Event(kind, actor="kepala", role="kepala", reason="cuti")])
    with db.unit_of_work() as session:
        session.connection().execute(journal.JOURNAL_INSERT, rows)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT reason FROM journal WHERE type = :t"), {"t": kind}).scalars().all() == ["cuti"]
