"""Deterministic replay: re-run a case's pinned diagram version from the inputs its journal recorded, in
memory, and compare what the engine derives with what the journal says happened.

The inputs are the events a person, a message or the clock caused: ``instance.started`` (the start data),
``task.completed`` (the form data), ``message.received`` (the payload), ``timer.fired``, ``instance.retried``
and ``instance.cancelled``. Each is re-applied at its recorded time (``clock.pinned``). Everything the
engine derived in the same step (service tasks run, tasks opened and cancelled, messages sent, errors, the
case completed) is derived again by the same code (``store.project``) and compared field by field with the
recorded events. Service-task handlers are never called: their recorded result, their recorded changes to
the case's data and the events they emitted are played back (``ExecContext.playback``), so a replay has no
side effects and touches no table.

The first difference is reported as a ``Divergence``: the event's seq, which field, the recorded value and
the replayed one. A replay can also stop after any event (``upto``): the case as it was then.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import clock, runtime
from .bpmn import Bundle
from .errors import WorkflowError
from .journal import Event
from .models.instance import CANCELLED, RUNNING
from .store import Outcome, Step, diff, project, step_events

INPUTS = frozenset({"instance.started", "task.completed", "message.received", "timer.fired", "instance.retried",
                    "instance.cancelled"})
# Written by people or listeners between steps; they change who holds a task or an incident, never the workflow.
BOOKKEEPING = frozenset({"task.claimed", "task.unclaimed", "task.reassigned", "incident.opened", "incident.resolved"})
# What the engine writes after a step's service runs and the events their handlers emitted.
STRUCTURAL = frozenset({"service.run", "message.sent", "error", "task.ready", "task.cancelled", "instance.completed"})
COMPARED = ("type", "element_id", "element_name", "actor", "role", "pasal", "reason", "data")


@dataclass(frozen=True)
class Recorded:
    """One journal row as plain data."""

    seq: int
    type: str
    element_id: str | None
    element_name: str | None
    actor: str | None
    role: str | None
    pasal: str | None
    reason: str | None
    data: dict
    at: datetime

    @classmethod
    def from_row(cls, row) -> "Recorded":
        data = row.data if isinstance(row.data, dict) else json.loads(row.data or "{}")
        return cls(row.seq, row.type, row.element_id, row.element_name, row.actor, row.role, row.pasal,
                   row.reason, data, row.at)


@dataclass(frozen=True)
class Divergence:
    seq: int
    field: str
    expected: Any
    got: Any

    @property
    def problem(self) -> str:
        return (f"event {self.seq}: {self.field} was recorded as {_short(self.expected)} but the replay gives "
                f"{_short(self.got)}")


@dataclass(frozen=True)
class OpenTask:
    task_id: str
    element_id: str | None
    name: str | None
    role: str | None
    pasal: str | None
    form: str | None
    assignee: str | None
    opened_at: datetime
    opened_seq: int


@dataclass
class Result:
    """Where the replay stopped (``upto``) and the case as it was then."""

    upto: int
    state: str
    data: dict
    elements: dict[str, str]
    open_tasks: list[OpenTask]
    divergence: Divergence | None = None
    previous_data: dict = field(default_factory=dict)  # the data before the step that wrote event ``upto``
    steps: int = 0
    step_end: int = 0  # the last event of the step that wrote event ``upto``


class _Diverged(Exception):
    def __init__(self, divergence: Divergence):
        super().__init__(divergence.problem)
        self.divergence = divergence


@dataclass
class _Group:
    """One recorded step: its input and the engine's events that followed it."""

    input: Recorded
    derived: list[Recorded]


def groups(events: Iterable[Recorded]) -> tuple[list[_Group], list[Recorded]]:
    """Split the journal into steps; the bookkeeping events are returned apart, in order."""
    out: list[_Group] = []
    bookkeeping: list[Recorded] = []
    for event in events:
        if event.type in BOOKKEEPING:
            bookkeeping.append(event)
        elif event.type in INPUTS:
            out.append(_Group(event, []))
        elif out:
            out[-1].derived.append(event)
        else:
            raise _Diverged(Divergence(event.seq, "type", "instance.started", event.type))
    return out, bookkeeping


class _Playback:
    """The recorded outcomes of one step's service tasks, handed out in order."""

    def __init__(self, derived: list[Recorded]):
        self.queue: list[tuple[Recorded, list[tuple[str, dict]]]] = []
        self.errors = {e.element_id: e for e in derived if e.type == "error"}
        for event in derived:
            if event.type == "service.run":
                self.queue.append((event, []))
            elif event.type not in STRUCTURAL and self.queue:
                self.queue[-1][1].append((event.type, event.data))
        self.divergence: Divergence | None = None

    def __call__(self, element_id: str, handler: str) -> dict:
        if self.queue and self.queue[0][0].element_id == element_id:
            run, emitted = self.queue.pop(0)
            if run.data.get("handler") != handler:
                self._diverge(Divergence(run.seq, "data.handler", run.data.get("handler"), handler))
            return {"result": run.data.get("result"), "changes": run.data.get("changes"), "events": emitted}
        error = self.errors.get(element_id)
        if error is not None:  # the handler failed when it ran: fail the same way
            recorded = error.data
            raise WorkflowError(recorded.get("message", ""), element_id, recorded.get("line"),
                                recorded.get("offending_line"), retry=recorded.get("retry"))
        expected = self.queue[0][0] if self.queue else None
        self._diverge(Divergence(expected.seq if expected else 0, "service task",
                                 expected.element_id if expected else "(none recorded)", element_id))

    def _diverge(self, divergence: Divergence):
        if self.divergence is None:
            self.divergence = divergence
        raise WorkflowError(divergence.problem, divergence.got if isinstance(divergence.got, str) else None)


class Replayer:
    """Replays one case of ``bundle`` (its pinned version ``process_version``)."""

    def __init__(self, bundle: Bundle, process_version: int | None, config: dict | None = None,
                 instance_id: int = 0):
        self.bundle = bundle
        self.process_version = process_version
        self.config = dict(config or {})
        self.instance_id = instance_id
        self.workflow = None
        self.state = RUNNING
        self.ids: dict[str, str] = {}  # recorded task id -> the replay's task id

    def run(self, events: list[Recorded], upto: int | None = None) -> Result:
        last = events[-1].seq if events else 0
        upto = last if upto is None else upto
        divergence = None
        steps = step_end = 0
        previous: dict = {}
        try:
            recorded_groups, _bookkeeping = groups(events)
            for group in recorded_groups:
                if group.input.seq > upto:
                    break
                previous = self.data()
                self._step(group, upto)
                steps += 1
                step_end = group.derived[-1].seq if group.derived else group.input.seq
        except _Diverged as stop:
            divergence = stop.divergence
        # The events of one step were written in one transaction: after any of them, the case is as the whole
        # step left it (the tasks it opened are open, though their task.ready events come later in the step).
        return Result(upto, self.state, self.data(), self.elements(), open_tasks(events, max(upto, step_end)),
                      divergence, previous, steps, step_end)

    def data(self) -> dict:
        return runtime.case_data(self.workflow) if self.workflow is not None else {}

    def elements(self) -> dict[str, str]:
        """Every element of the diagram: completed, active, error, cancelled, or not reached."""
        reached = runtime.element_states(self.workflow) if self.workflow is not None else {}
        states = {eid: "not_reached" for eid in self.bundle.elements}
        for eid, state in reached.items():
            states[eid] = bucket(state)
        return states

    # --- one recorded step --------------------------------------------------------------------------------

    def _step(self, group: _Group, upto: int) -> None:
        event = group.input
        playback = _Playback(group.derived)
        with clock.pinned(event.at):
            before_ready, step, report = self._apply(event, playback)
            if event.type == "instance.cancelled":
                got = self._cancelled_events(step, before_ready)
                outcome_state = CANCELLED
            else:
                step.events.extend(step_events(report, self.bundle, event.actor, event.role))
                outcome: Outcome = project(self.workflow, self.bundle, before_ready, step, report, self.state,
                                           event.actor)
                got, outcome_state = outcome.events, outcome.state
        try:
            self._compare(group, got, upto)
        except _Diverged as found:  # report whichever difference comes first in the journal
            if playback.divergence is not None and playback.divergence.seq <= found.divergence.seq:
                raise _Diverged(playback.divergence) from None
            raise
        if playback.divergence is not None:
            raise _Diverged(playback.divergence)
        self.state = outcome_state

    def _apply(self, event: Recorded, playback: _Playback):
        """Re-apply one recorded input; returns the tasks open before it, the step and the engine's report."""
        if self.workflow is None and event.type != "instance.started":
            raise _Diverged(Divergence(event.seq, "type", event.type, "instance.started (the case has not started)"))
        context = runtime.ExecContext(None, self.instance_id, self.bundle.process_id, event.actor, event.role,
                                      self.config, playback=playback)
        if self.workflow is None:
            return {}, *self._start(event, context)
        self.workflow.script_engine.context = context
        before_ready = {t.id: t for t in runtime.human_tasks(self.workflow, self.bundle)}
        apply = {"task.completed": self._complete, "message.received": self._message, "timer.fired": self._timer,
                 "instance.retried": self._retry, "instance.cancelled": self._cancel}[event.type]
        return before_ready, *apply(event, before_ready)

    def _start(self, event: Recorded, context):
        start = dict(event.data.get("after") or {})
        self.workflow = runtime.new(self.bundle, start, context)
        report = runtime.advance(self.workflow)
        facts = {"process_version": self.process_version, **diff({}, start)}
        return Step([Event(event.type, actor=event.actor, role=event.role, data=facts)]), report

    def _complete(self, event: Recorded, before_ready: dict):
        data = event.data
        task_id = self._task_id(event, before_ready)
        info = self.bundle.elements.get(event.element_id or "")
        before, after, report = runtime.complete(self.workflow, task_id, dict(data.get("input") or {}))
        facts = {"task_id": data.get("task_id"), "input": data.get("input"), **diff(before, after)}
        if "documents" in data:
            facts["documents"] = data["documents"]  # linked by the service, not derived by the engine
        return Step([Event(event.type, event.element_id, info.name if info else None, event.actor, event.role,
                           info.pasal if info else None, data=facts)], {task_id}), report

    def _message(self, event: Recorded, _before_ready: dict):
        name, payload = event.data.get("message"), dict(event.data.get("after") or {})
        try:
            report = runtime.deliver_message(self.workflow, name, payload)
        except LookupError:
            raise _Diverged(Divergence(event.seq, "message", name, "no task of the replay waits for it")) from None
        return Step([Event(event.type, actor=event.actor, role=event.role,
                           data={"message": name, **diff({}, payload)})]), report

    def _timer(self, event: Recorded, _before_ready: dict):
        elements = runtime.due_timers(self.workflow, event.at)
        report = runtime.refresh_timers(self.workflow)
        info = self.bundle.elements.get(elements[0]) if len(elements) == 1 else None
        # ``due`` is when the worker found the case due (its stored next timer), an input like the time itself.
        return Step([Event(event.type, info.element_id if info else None, info.name if info else None, "system",
                           pasal=info.pasal if info else None,
                           data={"due": event.data.get("due"), "elements": elements})]), report

    def _retry(self, event: Recorded, _before_ready: dict):
        report = runtime.retry(self.workflow)
        return Step([Event(event.type, actor=event.actor, role=event.role, reason=event.reason,
                           data=event.data or None)]), report

    def _cancel(self, event: Recorded, _before_ready: dict):
        runtime.cancel(self.workflow)
        return Step([Event(event.type, actor=event.actor, role=event.role, reason=event.reason)]), None

    def _task_id(self, event: Recorded, before_ready: dict) -> str:
        recorded = event.data.get("task_id")
        task_id = self.ids.get(recorded)
        if task_id is None or task_id not in before_ready:
            open_now = sorted(t.element_id for t in before_ready.values())
            raise _Diverged(Divergence(event.seq, "task", f"{event.element_id} open", f"open tasks: {open_now}"))
        return task_id

    def _cancelled_events(self, step: Step, before_ready: dict) -> list[Event]:
        events = list(step.events)
        for task in before_ready.values():
            events.append(Event("task.cancelled", task.element_id, task.name, None, task.lane, task.pasal,
                                data={"task_id": task.id}))
        return events

    # --- comparing ----------------------------------------------------------------------------------------

    def _compare(self, group: _Group, got: list[Event], upto: int) -> None:
        recorded = [group.input, *group.derived]
        for index, expected in enumerate(recorded):
            if expected.seq > upto:
                return
            if index >= len(got):
                raise _Diverged(Divergence(expected.seq, "event", _describe(expected), "(no such event)"))
            self._compare_event(expected, got[index])
        if len(got) > len(recorded):
            extra = got[len(recorded)]
            raise _Diverged(Divergence(recorded[-1].seq + 1, "event", "(no further event in this step)",
                                       f"{extra.type} {extra.element_id or ''}".strip()))

    def _compare_event(self, expected: Recorded, event: Event) -> None:
        got = {"type": event.type, "element_id": event.element_id, "element_name": event.element_name,
               "actor": event.actor, "role": event.role, "pasal": event.pasal, "reason": event.reason,
               "data": _plain(event.data or {})}
        if event.type in ("task.ready", "task.cancelled") and "task_id" in got["data"]:
            replayed_id = got["data"]["task_id"]
            if event.type == "task.ready":
                self.ids.setdefault(expected.data.get("task_id"), replayed_id)
            mapped = {v: k for k, v in self.ids.items()}.get(replayed_id, replayed_id)
            got["data"] = {**got["data"], "task_id": mapped}
        for name in COMPARED:
            want = expected.data if name == "data" else getattr(expected, name)
            if name == "data" and isinstance(want, dict) and isinstance(got["data"], dict):
                for key in sorted(set(want) | set(got["data"])):
                    if want.get(key) != got["data"].get(key):
                        raise _Diverged(Divergence(expected.seq, f"data.{key}", want.get(key), got["data"].get(key)))
            elif want != got[name]:
                raise _Diverged(Divergence(expected.seq, name, want, got[name]))


def bucket(state: str) -> str:
    """An engine task state as the diagram shows it: completed, active (ready, waiting, started), error,
    cancelled."""
    return "completed" if state == "completed" else state if state in ("error", "cancelled") else "active"


def open_tasks(events: list[Recorded], upto: int) -> list[OpenTask]:
    """The tasks open after event ``upto``, as the journal records them (claims and reassignments too)."""
    tasks: dict[str, OpenTask] = {}
    for e in events:
        if e.seq > upto:
            break
        task_id = e.data.get("task_id") if isinstance(e.data, dict) else None
        if e.type == "task.ready" and task_id:
            tasks[task_id] = OpenTask(task_id, e.element_id, e.element_name, e.role, e.pasal, e.data.get("form"),
                                      None, e.at, e.seq)
        elif e.type in ("task.completed", "task.cancelled") and task_id:
            tasks.pop(task_id, None)
        elif e.type in ("task.claimed", "task.unclaimed", "task.reassigned") and task_id in tasks:
            t = tasks[task_id]
            tasks[task_id] = OpenTask(t.task_id, t.element_id, t.name, t.role, t.pasal, t.form,
                                      e.data.get("assignee"), t.opened_at, t.opened_seq)
    return list(tasks.values())


def _plain(value):
    """As the journal stores it: canonical JSON and back (dates become strings, tuples lists)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _describe(e: Recorded) -> str:
    return f"{e.type} {e.element_id or ''}".strip()


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."


def boundary_attachments(bundle: Bundle) -> dict[str, str]:
    """Each boundary event's element id -> the activity it is attached to (the diagram's own deadlines)."""
    from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent

    out: dict[str, str] = {}
    specs = [bundle.spec, *bundle.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not isinstance(task_spec, BoundaryEvent):
                continue
            for parent in task_spec.inputs:
                for sibling in parent.outputs:
                    if not isinstance(sibling, BoundaryEvent) and sibling.bpmn_id:
                        out[task_spec.bpmn_id] = sibling.bpmn_id
    return out
