"""Intermediate and boundary timers fire once when due, under the controllable clock."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from conftest import BPMN
from engine import clock, worker
from engine.models import Instance, JournalEvent
from engine.services import timers


def _fired(db, instance_id: int) -> list[list[str]]:
    """The timer elements of each ``timer.fired`` event of the case, in order."""
    with db.reader() as session:
        rows = session.scalars(select(JournalEvent.data).where(JournalEvent.instance_id == instance_id,
                                                               JournalEvent.type == "timer.fired")
                               .order_by(JournalEvent.seq)).all()
    return [json.loads(r)["elements"] for r in rows]


def _case(api, case_id: int, as_: str = "admin_sistem") -> dict:
    return api.call("GET", f"/api/v1/process-instances/{case_id}", as_=as_, expect=200).get_json()


def test_an_intermediate_timer_fires_once_when_due_and_not_a_moment_before(api, db, app):
    api.deploy(BPMN / "timer_intermediate.bpmn")
    case = api.start("uji_timer_antara", as_="admin_sistem")
    assert case["tasks"] == []
    clock.advance(timedelta(minutes=59))
    assert worker.run_once(db, app.config) == 0
    clock.advance(timedelta(minutes=1, seconds=1))
    assert worker.run_once(db, app.config) == 1
    assert worker.run_once(db, app.config) == 0
    assert [t["element_id"] for t in _case(api, case["id"])["tasks"]] == ["periksa"]
    assert _fired(db, case["id"]) == [["tunggu"]]
    with db.reader() as session:
        assert session.get(Instance, case["id"]).next_timer_at is None


def test_service_level_timers_remind_without_interrupting_then_escalate_and_cancel_the_task(api, db, app):
    api.deploy(BPMN / "timer_sla.bpmn")
    case = api.start("uji_sla", as_="verifikator")
    [task] = case["tasks"]

    # Non-interrupting cycle R2/PT1H: a reminder each hour, twice; the verification stays open.
    for hour in (1, 2):
        clock.advance(timedelta(hours=1, seconds=1))
        assert timers.run_due(db, app.config) == 1
        assert timers.run_due(db, app.config) == 0
        assert [t["id"] for t in _case(api, case["id"])["tasks"]] == [task["id"]]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor",
                      expect=200).get_json()
    assert [e["data"]["result"] for e in events["items"] if e["type"] == "service.run"] == [{"jenis": "pengingat"}] * 2

    # Interrupting PT3H: escalation to the head, and the verifikator's task is withdrawn.
    clock.advance(timedelta(hours=1))
    assert timers.run_due(db, app.config) == 1
    assert timers.run_due(db, app.config) == 0
    detail = _case(api, case["id"])
    assert [(t["element_id"], t["role"]) for t in detail["tasks"]] == [("eskalasi", "kepala")]
    assert api.inbox("verifikator")["items"] == []
    api.complete(task["id"], as_="verifikator", expect=409)
    assert _fired(db, case["id"]) == [["pengingat"], ["pengingat"], ["lewat_batas"]]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor",
                      expect=200).get_json()
    assert events["verified"]
    assert [e["element_id"] for e in events["items"] if e["type"] == "task.cancelled"] == ["verifikasi"]

    # Much later: nothing is left to fire.
    clock.advance(timedelta(days=30))
    assert timers.run_due(db, app.config) == 0


def test_completing_the_task_in_time_disarms_its_boundary_timers(api, db, app):
    api.deploy(BPMN / "timer_sla.bpmn")
    case = api.start("uji_sla", as_="verifikator")
    clock.advance(timedelta(minutes=30))
    done = api.complete(case["tasks"][0]["id"], as_="verifikator")
    assert done["state"] == "completed"
    clock.advance(timedelta(days=1))
    assert timers.run_due(db, app.config) == 0
    assert _fired(db, case["id"]) == []
