"""Timer start events: one case per occurrence, started by the worker as `system`, never twice, never lost."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from conftest import BPMN
from engine import clock, worker
from engine.models import Instance, JournalEvent, Schedule
from engine.services import schedules

WIB = timezone(timedelta(hours=7))


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def _scheduled_cases(db, process_id: str) -> list[Instance]:
    with db.reader() as session:
        return list(session.scalars(select(Instance).where(Instance.process_id == process_id).order_by(Instance.id)))


def _scheduled_for(api, case_id: int) -> str:
    return api.call("GET", f"/api/v1/process-instances/{case_id}", as_="admin_sistem", expect=200).get_json()[
        "data"]["scheduled_for"]


def _schedule(db, process_id: str) -> Schedule:
    with db.reader() as session:
        return session.scalars(select(Schedule).where(Schedule.process_id == process_id)).one()


def test_a_daily_schedule_starts_one_case_per_day_at_0700_as_system(api, db, app):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    api.deploy(BPMN / "scheduled.bpmn")
    assert _schedule(db, "uji_terjadwal").next_due == _at(2026, 11, 26, 7, 0)
    assert worker.run_once(db, app.config) == 0  # not due yet: nothing started

    clock.freeze(_at(2026, 11, 26, 7, 0, 1))
    assert schedules.run_due(db, app.config) == 1
    assert schedules.run_due(db, app.config) == 0  # the occurrence started once
    [case] = _scheduled_cases(db, "uji_terjadwal")
    assert case.started_by == "system" and case.state == "running"
    assert case.next_timer_at is None  # it does not wait on its own start timer again
    assert _scheduled_for(api, case.id) == "2026-11-26T07:00:00+07:00"
    inbox = api.inbox("admin_sistem")
    assert [t["element_id"] for t in inbox["items"]] == ["cek"]
    with db.reader() as session:
        started = session.scalars(select(JournalEvent).where(JournalEvent.instance_id == case.id,
                                                             JournalEvent.type == "instance.started")).one()
    assert (started.actor, started.role) == ("system", "system")
    assert _schedule(db, "uji_terjadwal").next_due == _at(2026, 11, 27, 7, 0)


def test_occurrences_missed_while_no_worker_ran_are_each_started_once_in_order(api, db, app):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    api.deploy(BPMN / "scheduled.bpmn")
    clock.freeze(_at(2026, 11, 29, 8, 0))  # the worker was down for four mornings
    assert worker.run_once(db, app.config) == 4
    assert worker.run_once(db, app.config) == 0
    cases = _scheduled_cases(db, "uji_terjadwal")
    assert [_scheduled_for(api, c.id) for c in cases] == [
        "2026-11-26T07:00:00+07:00", "2026-11-27T07:00:00+07:00", "2026-11-28T07:00:00+07:00",
        "2026-11-29T07:00:00+07:00"]


def test_a_quarterly_cycle_keeps_to_the_first_day_of_each_quarter(api, db, app):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    api.deploy(BPMN / "quarterly.bpmn")
    assert _schedule(db, "uji_triwulan").next_due == _at(2027, 1, 1, 0, 0)
    for month in (1, 4, 7, 10):
        clock.freeze(_at(2027, month, 1, 0, 0) - timedelta(seconds=1))
        assert schedules.run_due(db, app.config) == 0
        clock.advance(timedelta(seconds=2))
        assert schedules.run_due(db, app.config) == 1
    cases = _scheduled_cases(db, "uji_triwulan")
    assert [_scheduled_for(api, c.id) for c in cases] == [
        "2027-01-01T00:00:00+07:00", "2027-04-01T00:00:00+07:00", "2027-07-01T00:00:00+07:00",
        "2027-10-01T00:00:00+07:00"]
    assert [t["element_id"] for t in api.inbox("sekretariat")["items"]] == ["susun"] * 4


def _variant(tmp_path, name: str, old: str, new: str):
    path = tmp_path / name
    path.write_text((BPMN / "scheduled.bpmn").read_text().replace(old, new))
    return path


def test_a_new_version_moves_the_schedule_and_keeps_its_place(api, db, app, tmp_path):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    api.deploy(BPMN / "scheduled.bpmn")
    clock.freeze(_at(2026, 11, 26, 7, 30))
    assert schedules.run_due(db, app.config) == 1

    # Same timer, a changed task: the next occurrence (tomorrow 07:00) starts on version 2.
    v2 = api.deploy(_variant(tmp_path, "scheduled.bpmn", 'name="Cek harian"', 'name="Cek harian v2"')).get_json()
    assert v2["processes"][0]["version"] == 2
    assert _schedule(db, "uji_terjadwal").next_due == _at(2026, 11, 27, 7, 0)
    clock.freeze(_at(2026, 11, 27, 7, 0, 5))
    assert schedules.run_due(db, app.config) == 1
    latest = api.call("GET", f"/api/v1/process-instances/{_scheduled_cases(db, 'uji_terjadwal')[-1].id}",
                      as_="admin_sistem", expect=200).get_json()
    assert latest["process_version"] == 2 and latest["tasks"][0]["name"] == "Cek harian v2"

    # A changed timer (now 08:00) counts from the deploy on; the 07:00 occurrence already started is not repeated.
    api.deploy(_variant(tmp_path, "scheduled.bpmn", "T07:00:00+07:00/P1D", "T08:00:00+07:00/P1D"))
    assert _schedule(db, "uji_terjadwal").next_due == _at(2026, 11, 27, 8, 0)

    # A version without the start timer retires the schedule: no more cases.
    plain = tmp_path / "scheduled.bpmn"
    plain.write_text(re.sub(r"<bpmn:timerEventDefinition.*</bpmn:timerEventDefinition>", "",
                            (BPMN / "scheduled.bpmn").read_text()))
    api.deploy(plain)
    retired = _schedule(db, "uji_terjadwal")
    assert (retired.active, retired.next_due) == (False, None)
    clock.freeze(_at(2026, 12, 31, 9, 0))
    assert schedules.run_due(db, app.config) == 0
    assert len(_scheduled_cases(db, "uji_terjadwal")) == 2


def test_a_time_date_start_fires_once_and_then_never_again(api, db, app, tmp_path):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    path = _variant(tmp_path, "sekali.bpmn", "<bpmn:timeCycle", "<bpmn:timeDate")
    path.write_text(path.read_text().replace("</bpmn:timeCycle>", "</bpmn:timeDate>")
                    .replace("R/2026-01-01T07:00:00+07:00/P1D", "2026-12-01T07:00:00+07:00"))
    api.deploy(path)
    clock.freeze(_at(2027, 3, 1, 0, 0))
    assert schedules.run_due(db, app.config) == 1
    assert schedules.run_due(db, app.config) == 0
    assert _scheduled_for(api, _scheduled_cases(db, "uji_terjadwal")[0].id) == "2026-12-01T07:00:00+07:00"
    assert _schedule(db, "uji_terjadwal").next_due is None


@pytest.mark.parametrize("old, new, needle", [
    ("R/2026-01-01T07:00:00+07:00/P1D", "R/2026-01-01T07:00:00/P1D", "UTC offset"),
    ("R/2026-01-01T07:00:00+07:00/P1D", "R/P1.5M", "not a valid ISO 8601"),  # found by engine.lint first
    ("R/2026-01-01T07:00:00+07:00/P1D", "R/P1D/2026-01-01T00:00:00+07:00", "only R/start/period"),
    ("R/2026-01-01T07:00:00+07:00/P1D", "setiap hari", "neither an ISO 8601 value"),
    ('<bpmn:startEvent id="start">', '<bpmn:startEvent id="mulai_manual"><bpmn:outgoing>f0</bpmn:outgoing>'
     '</bpmn:startEvent><bpmn:sequenceFlow id="f0" sourceRef="mulai_manual" targetRef="cek" />'
     '<bpmn:startEvent id="start">', "other start events"),
])
def test_a_start_timer_the_worker_cannot_follow_is_refused_at_deploy(api, tmp_path, old, new, needle):
    text = (BPMN / "scheduled.bpmn").read_text().replace(old, new)
    text = text.replace('<bpmn:flowNodeRef>start</bpmn:flowNodeRef>',
                        '<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>mulai_manual</bpmn:flowNodeRef>')
    path = tmp_path / "scheduled.bpmn"
    path.write_text(text)
    errors = api.deploy(path, expect=422).get_json()["errors"]
    assert any(e["element_id"] == "start" and needle in e["message"] and e["fix"] for e in errors), errors


def test_two_workers_at_once_start_each_occurrence_exactly_once(api, db, app):
    clock.freeze(_at(2026, 11, 25, 10, 0))
    api.deploy(BPMN / "scheduled.bpmn")
    clock.freeze(_at(2026, 12, 5, 7, 30))  # ten occurrences due
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run():
        barrier.wait()
        counts.append(schedules.run_due(db, app.config))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cases = _scheduled_cases(db, "uji_terjadwal")
    assert sum(counts) == 10 and len(cases) == 10
    assert len({_scheduled_for(api, c.id) for c in cases}) == 10


@pytest.mark.parametrize("kind, text, needle", [
    ("cycle", "R/P1.5M", "whole numbers"),
    ("cycle", "R/P0D", "shorter than a second"),
    ("cycle", "R0/P1D", "R0"),
    ("cycle", "setiap hari", "repeating interval"),
    ("date", "2026-12-01T07:00:00", "UTC offset"),
])
def test_the_recurrence_rules_say_what_is_wrong(kind, text, needle):
    from engine import recurrence

    with pytest.raises(recurrence.RuleError, match=needle):
        recurrence.parse(kind, text, _at(2026, 11, 25, 10, 0))
