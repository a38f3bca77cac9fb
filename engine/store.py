"""Writing one engine step: the instance state, the inbox rows and the journal, in one transaction.

The instance row is updated first with ``WHERE version = :seen``. On PostgreSQL a concurrent writer
blocks on that row and then finds the version moved; on SQLite writers are serialized by
``BEGIN IMMEDIATE``. Either way, the loser gets ``Conflict`` and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import journal, runtime, sql
from .bpmn import Bundle
from .errors import Conflict
from .journal import Event
from .models.instance import COMPLETED, ERROR, RUNNING
from .models.task import READY
from .roles import EXTERNAL


@dataclass
class Snapshot:
    """What was read of the instance row before the step."""

    id: int
    process_id: str
    model_hash: str
    version: int
    journal_seq: int
    journal_head: str
    state: str
    started_by: str | None = None
    error: dict | None = None


@dataclass
class Step:
    """Everything one call changes, gathered before anything is written."""

    events: list[Event] = field(default_factory=list)
    closed_task_ids: set[str] = field(default_factory=set)  # completed by this call; not "cancelled"
    written: dict = field(default_factory=dict)  # the instance columns as written, for the response
    open_rows: list[dict] | None = None  # the open task rows, when this step wrote all of them


def diff(before: dict, after: dict) -> dict:
    """Changed keys only: {"before": {k: old}, "after": {k: new}}."""
    changed = {k for k in after if k not in before or before[k] != after[k]}
    removed = {k for k in before if k not in after}
    return {"before": {k: before.get(k) for k in sorted(changed | removed) if k in before},
            "after": {k: after[k] for k in sorted(changed)}}


def step_events(report: runtime.StepReport, bundle: Bundle, actor: str | None, role: str | None) -> list[Event]:
    events: list[Event] = []
    for run in report.service_runs:
        info = bundle.elements.get(run.element_id)
        events.append(Event("service.run", run.element_id, info.name if info else None, actor, role,
                            info.pasal if info else None, data={"handler": run.handler, **run.after}))
        for event_type, payload in run.events:
            events.append(Event(event_type, run.element_id, info.name if info else None, actor, role,
                                info.pasal if info else None, data=payload))
    for name, _payload in report.messages:
        events.append(Event("message.sent", data={"message": name}))
    if report.error is not None:
        info = bundle.elements.get(report.error.element_id or "")
        events.append(Event("error", report.error.element_id, info.name if info else None, actor, role,
                            data=report.error.as_dict()))
    return events


def write_step(session, snap: Snapshot, workflow, bundle: Bundle, before_ready: dict[str, runtime.HumanTask],
               step: Step, report: runtime.StepReport | None, actor: str | None, request_id: str | None,
               now: datetime, *, new: bool = False) -> tuple[str, list[runtime.HumanTask]]:
    """Persist the workflow and its projections; returns the new state and the tasks now open."""
    outcome = project(workflow, bundle, before_ready, step, report, snap.state, actor)
    ready, opened, vanished, state, events = (outcome.ready, outcome.opened, outcome.vanished, outcome.state,
                                              outcome.events)
    rows, seq, head = journal.rows_for(snap.id, snap.model_hash, snap.journal_seq, snap.journal_head, now,
                                       request_id, events)
    values = {
        "workflow": runtime.dump(workflow), "serializer_version": runtime.SERIALIZER_VERSION,
        "state": state, "updated_at": now, "journal_seq": seq, "journal_head": head,
        "next_timer_at": runtime.next_timer(workflow) if state == RUNNING else None,
        "ended_at": now if state == COMPLETED else None,
    }
    if report is not None and report.error is not None:
        values["error"] = report.error.as_dict()
    else:
        values["error"] = None if state != ERROR else snap.error
    connection = session.connection()
    if new:
        connection.execute(sql.UPDATE_NEW_INSTANCE, {"_id": snap.id, **values})
        values["version"] = snap.version
    else:
        result = connection.execute(sql.UPDATE_INSTANCE_VERSIONED,
                                    {"_id": snap.id, "_seen": snap.version, "_next": snap.version + 1, **values})
        if result.rowcount != 1:
            raise Conflict("Kasus ini baru saja diubah oleh orang lain; muat ulang dan coba lagi. / "
                           "This case was changed by someone else just now; reload and try again.")
        values["version"] = snap.version + 1
    new_rows = [_task_row(snap, t, now) for t in opened]
    if new_rows:
        connection.execute(sql.INSERT_TASKS, new_rows)
    step.open_rows = new_rows if len(new_rows) == len(ready) else None
    if vanished:
        connection.execute(sql.CANCEL_TASKS, {"ids": vanished, "at": now})
    journal.write(session, rows, process_id=snap.process_id, started_by=snap.started_by)
    step.written = values
    return state, ready


@dataclass
class Outcome:
    """What a step leads to, before anything is written: the tasks, the state and the events."""

    ready: list[runtime.HumanTask]
    opened: list[runtime.HumanTask]
    vanished: list[str]
    state: str
    events: list[Event]


def project(workflow, bundle: Bundle, before_ready: dict[str, runtime.HumanTask], step: Step,
            report: runtime.StepReport | None, previous_state: str, actor: str | None) -> Outcome:
    """The step's events with the tasks it opened and closed and the case's new state (a replay calls this
    too, so it derives exactly what a live step journals)."""
    ready = runtime.human_tasks(workflow, bundle)
    ready_ids = {t.id for t in ready}
    opened = [t for t in ready if t.id not in before_ready]
    vanished = [tid for tid in before_ready if tid not in ready_ids and tid not in step.closed_task_ids]
    events = list(step.events)
    for task in opened:
        events.append(Event("task.ready", task.element_id, task.name, None, task.lane, task.pasal,
                            data={"task_id": task.id, "form": task.form}))
    for tid in vanished:
        gone = before_ready[tid]
        events.append(Event("task.cancelled", gone.element_id, gone.name, None, gone.lane, gone.pasal,
                            data={"task_id": tid}))
    state = _state_of(workflow, report, previous_state)
    if state == COMPLETED and previous_state != COMPLETED:
        events.append(Event("instance.completed", actor=actor))
    return Outcome(ready, opened, vanished, state, events)


def _state_of(workflow, report, previous: str) -> str:
    if report is not None and report.error is not None:
        return ERROR
    if runtime.has_errors(workflow):
        return ERROR
    if workflow.completed:
        return COMPLETED
    return RUNNING


def _task_row(snap: Snapshot, task: runtime.HumanTask, now: datetime) -> dict:
    return {
        "id": task.id, "instance_id": snap.id, "process_id": snap.process_id, "element_id": task.element_id,
        "name": task.name, "role": task.lane, "form": task.form, "state": READY,
        # A task outside any lane, or in a supplier's or other user's lane, belongs to whoever started the case.
        "assignee": snap.started_by if task.lane is None or task.lane in EXTERNAL else None,
        "created_at": now, "due_at": _due(task.due, now), "completed_at": None, "completed_by": None,
        "pasal": task.pasal, "extra": None,
    }


def _due(duration: str | None, now: datetime) -> datetime | None:
    if not duration:
        return None
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    except Exception:  # noqa: BLE001 - a malformed due date is a warning at deploy, not an error here
        return now + timedelta(days=3)
