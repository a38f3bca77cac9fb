"""Replay: a case re-run from its journal's inputs reproduces the journal, a tampered input does not, and the
case can be seen as it was after any event (API and CLI). Every scenario case is replayed too
(tests/scenarios/conftest.py)."""
from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.models import Instance
from engine.replay import Replayer
from engine.services import definitions, replay

from incident_case import CATAT, SELESAI, SOPS
from incident_case import do as _do


@pytest.fixture
def incident(api):
    """An incident recorded, handled and confirmed (SOP c): a completed case with service tasks."""
    api.deploy(*sorted(SOPS.glob("*.bpmn")))
    case = api.start("penanganan_masalah", as_="layanan")
    _do(api, case["id"], "catat", "layanan", CATAT)
    _do(api, case["id"], "tangani", "admin_sistem", SELESAI)
    done = _do(api, case["id"], "konfirmasi", "layanan", {"pelapor_puas": True})
    assert done["state"] == "completed"
    return case["id"]


def _recorded(db, app, instance_id):
    with db.reader() as session:
        events = replay.recorded(session, instance_id)
        row = session.execute(select(Instance).where(Instance.id == instance_id)).scalar_one()
        bundle = definitions.bundle(session, row.process_version_id, row.process_id, row.model_hash)
    return events, lambda: Replayer(bundle, 1, app.config, instance_id)


def _tampered(events, seq, **data):
    return [dataclasses.replace(e, data={**e.data, **data}) if e.seq == seq else e for e in events]


def test_a_case_replays_to_its_journal_and_its_stored_state(app, db, incident):
    check = replay.check(db, incident, app.config)
    assert check.divergence is None and check.events > 10
    events, replayer = _recorded(db, app, incident)
    result = replayer().run(events)
    assert result.divergence is None and result.state == "completed" and result.steps == 4
    assert result.data["pelapor_puas"] is True and result.data["status"] == "selesai"
    assert result.elements["konfirmasi"] == "completed" and result.open_tasks == []


def test_a_tampered_decision_is_reported_at_the_first_event_it_changes(app, db, incident):
    events, replayer = _recorded(db, app, incident)
    confirmed = next(e for e in events if e.type == "task.completed" and e.element_id == "konfirmasi")
    said = confirmed.data
    # Only the input changed: the recorded diff of the same event no longer matches.
    only_input = _tampered(events, confirmed.seq, input={**said["input"], "pelapor_puas": False})
    found = replayer().run(only_input).divergence
    assert (found.seq, found.field) == (confirmed.seq, "data.after")
    assert found.expected["pelapor_puas"] is True and found.got["pelapor_puas"] is False
    # Input and diff changed together, as a forger would: the next event the engine derives differs.
    forged = _tampered(events, confirmed.seq, input={**said["input"], "pelapor_puas": False},
                       after={**said["after"], "pelapor_puas": False})
    found = replayer().run(forged).divergence
    assert found is not None and found.seq == confirmed.seq + 1, found
    assert f"event {confirmed.seq + 1}:" in found.problem


def test_a_tampered_service_result_is_reported(app, db, incident):
    events, replayer = _recorded(db, app, incident)
    status_run = next(e for e in events if e.type == "service.run" and e.element_id == "tercatat")
    forged = _tampered(events, status_run.seq, handler="insiden.lain")
    found = replayer().run(forged).divergence
    assert (found.seq, found.field, found.expected, found.got) == (status_run.seq, "data.handler", "insiden.lain",
                                                                   "insiden.status")


def test_a_missing_input_is_reported(app, db, incident):
    events, replayer = _recorded(db, app, incident)
    handled = next(e for e in events if e.type == "task.completed" and e.element_id == "tangani")
    found = replayer().run([e for e in events if e.seq != handled.seq]).divergence
    assert found is not None and found.seq == handled.seq + 1


def test_the_case_after_any_event_through_the_api(api, incident):
    url = f"/api/v1/process-instances/{incident}/replay"
    events = api.call("GET", f"/api/v1/process-instances/{incident}/events", as_="auditor").get_json()["items"]
    ready = next(e for e in events if e["type"] == "task.ready" and e["element_id"] == "tangani")
    body = api.call("GET", url, as_="auditor", expect=200, query_string={"upto": ready["seq"]}).get_json()
    assert body["upto"] == ready["seq"] and body["total"] == len(events) and body["divergence"] is None
    assert [t["element_id"] for t in body["tasks"]] == ["tangani"] and body["tasks"][0]["role"] == "admin_sistem"
    assert body["elements"]["catat"] == "completed" and body["elements"]["tangani"] == "active"
    assert body["elements"]["konfirmasi"] == "not_reached" and body["state"] == "running"
    assert body["data"]["prioritas"] == "P3" and "pelapor_puas" not in body["data"]
    assert body["event"]["type"] == "task.ready" and body["step_end"] >= ready["seq"]
    catat = next(e for e in events if e["type"] == "task.completed" and e["element_id"] == "catat")
    step = api.call("GET", url, as_="kepala", expect=200, query_string={"upto": catat["seq"]}).get_json()
    assert step["changes"]["after"]["urgensi"] == "rendah" and "urgensi" not in step["changes"]["before"]
    # The task the step opened is open after any event of that step, before its own task.ready event too.
    assert step["step_end"] > catat["seq"] and [t["element_id"] for t in step["tasks"]] == ["tangani"]
    last = api.call("GET", url, as_="verifikator", expect=200).get_json()
    assert last["upto"] == len(events) and last["state"] == "completed" and last["tasks"] == []
    for bad in (0, len(events) + 1):
        problem = api.call("GET", url, as_="auditor", expect=422, query_string={"upto": bad})
        assert problem.content_type == "application/problem+json"
        assert f"1 to {len(events)}" in problem.get_json()["detail"] and "upto" in problem.get_json()["errors"]
    assert api.call("GET", url, as_="auditor", query_string={"upto": "x"}).status_code == 422
    assert api.call("GET", url, as_="penyedia").status_code == 403
    assert api.call("GET", "/api/v1/process-instances/999999/replay", as_="auditor").status_code == 404


def test_personal_numbers_are_masked_in_the_replay(api, incident):
    api.deploy(*sorted(SOPS.glob("*.bpmn")))
    case = api.start("penanganan_masalah", {"nik_pelapor": "3572010101800002"}, as_="layanan")
    body = api.call("GET", f"/api/v1/process-instances/{case['id']}/replay", as_="auditor", expect=200).get_json()
    assert body["data"]["nik_pelapor"] == "3572********0002"
    assert "3572010101800002" not in str(body)


def test_the_replay_command(app, db, incident, database_url, tmp_path, monkeypatch):
    from web.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", database_url)
    monkeypatch.setenv("ALUR_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    one = runner.invoke(main, ["audit", "replay", str(incident)])
    assert one.exit_code == 0, one.output
    assert f"case {incident} (penanganan_masalah):" in one.output and "events reproduced" in one.output
    every = runner.invoke(main, ["audit", "replay", "--all"])
    assert every.exit_code == 0 and "1 of 1 case(s) reproduce their journal" in every.output, every.output
    assert runner.invoke(main, ["audit", "replay"]).exit_code == 2
    missing = runner.invoke(main, ["audit", "replay", "999999"])
    assert missing.exit_code == 2 and "999999" in missing.output


# Every kind of input, through the flows the engine's own tests drive: timers that remind and escalate
# (timer.fired, task.cancelled), a handler that fails, is retried by the worker, opens an incident and is
# retried by a person (error, instance.retried, incident.*), a message, and a cancellation.
from test_incidents import SERVICE as _SERVICE  # noqa: E402
from test_incidents import test_cancelling_the_case_closes_its_incident as _cancelled_flow  # noqa: E402
from test_incidents import \
    test_retries_back_off_exponentially_then_an_incident_opens_and_a_person_retries_it as _retried_flow  # noqa: E402
from test_lifecycle import test_a_message_goes_out_and_the_answer_resumes_the_case as _message_flow  # noqa: E402
from test_timers import \
    test_service_level_timers_remind_without_interrupting_then_escalate_and_cancel_the_task as _timer_flow  # noqa: E402


@pytest.fixture
def still_clock():
    """These flows count seconds of the test clock: frozen, a loaded machine's real time cannot leak in."""
    from engine import clock

    clock.freeze(clock.now())
    yield
    clock.reset()


def _all_reproduce(app, db) -> list:
    checks = list(replay.check_all(db, app.config))
    assert checks and [(c.instance_id, c.divergence.problem) for c in checks if c.divergence] == []
    return checks


def test_timers_reminders_and_an_escalation_replay(api, db, app, still_clock):
    _timer_flow(api, db, app)
    _all_reproduce(app, db)


def test_failed_handlers_retries_and_incidents_replay(api, db, app, still_clock):
    _SERVICE.update(up=False, calls=0)
    _retried_flow(api, db, app)
    calls = _SERVICE["calls"]
    [check] = _all_reproduce(app, db)
    assert _SERVICE["calls"] == calls  # played back: the outside service was not called again
    assert check.events >= 10


def test_a_cancelled_case_replays(api, db, app, still_clock):
    _SERVICE.update(up=False, calls=0)
    _cancelled_flow(api, db, app)
    _all_reproduce(app, db)


def test_messages_replay(api, db, app):
    _message_flow(api)
    _all_reproduce(app, db)


def test_a_well_chained_forged_event_passes_verify_but_not_replay(app, db, incident, database_url, tmp_path,
                                                                   monkeypatch):
    """Someone with write access appends a properly hash-chained event (and moves the case's head): the
    chain verifies, but the diagram never derives that event, so the replay names it."""
    from engine import clock
    from engine.journal import Event
    from engine.principal import Principal
    from engine.services import incidents, journal
    from web.cli import main

    with db.unit_of_work() as session:
        incidents.append(session, incident, [Event("task.ready", "tangani", "Tangani masalah", None, "admin_sistem",
                                                   "19(1)", data={"task_id": "palsu", "form": None})], clock.now())
    auditor = Principal("auditor", frozenset({"auditor"}))
    assert journal.verify(db, incident, auditor) is None
    check = replay.check(db, incident, app.config)
    assert check.divergence is not None and check.divergence.seq == check.events
    assert check.divergence.field == "event" and "task.ready tangani" in check.divergence.expected

    monkeypatch.setenv("ALUR_DATABASE_URL", database_url)
    monkeypatch.setenv("ALUR_VAR_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["audit", "replay", "--all"])
    assert result.exit_code == 1, result.output
    assert f"case {incident} (penanganan_masalah): diverges at event {check.events}" in result.output
    assert "0 of 1 case(s) reproduce their journal" in result.output
