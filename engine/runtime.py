"""Running a compiled process: the run-time half of the engine, and the only place that drives
SpiffWorkflow's workflow objects. Everything it hands out is our own plain data.
"""
from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import clock, registry, sandbox
from .bpmn import Bundle
from .errors import WorkflowError

clock.install()

# --- serialization: the spec is never stored with the state; it comes from the pinned version ----

_loading = threading.local()


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Stores a workflow without its spec (kept once per version) and restores it onto a cached spec."""

    def to_dict(self, workflow):
        dct = super().to_dict(workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        return dct

    def from_dict(self, dct):
        bundle: Bundle = _loading.bundle
        dct = dict(dct)
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _StateOnlyConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
SERIALIZER_VERSION = SERIALIZER.VERSION


def dump(workflow: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def load(bundle: Bundle, state: str, context: "ExecContext") -> BpmnWorkflow:
    _loading.bundle = bundle
    try:
        workflow = SERIALIZER.deserialize_json(state)
    finally:
        _loading.bundle = None
    workflow.script_engine = AlurScriptEngine(context)
    return workflow


# --- the script engine: sandboxed code, registered handlers ------------------------------------

class _SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        if external_context:
            context = {**external_context, **context}
        return sandbox.evaluate(expression, context)

    def execute(self, script, context, external_context=None):
        sandbox.execute(script, context)
        return True

    def call_service(self, context, **kwargs):  # pragma: no cover - AlurScriptEngine overrides the caller
        raise NotImplementedError


@dataclass
class ServiceRun:
    element_id: str
    handler: str
    before: dict
    after: dict
    events: list[tuple[str, dict]]


@dataclass
class ExecContext:
    """Per-call facts the script engine and handlers need; never serialized."""

    session: Any
    instance_id: int
    process_id: str
    actor: str | None
    role: str | None
    config: dict
    service_runs: list[ServiceRun] = field(default_factory=list)
    # A replay (engine.replay) sets this: ``playback(element_id, handler)`` gives the recorded outcome of the
    # handler ({"result", "changes", "events"}) or raises the recorded error, and no handler is called.
    playback: Any = None


class AlurScriptEngine(PythonScriptEngine):
    def __init__(self, context: ExecContext):
        super().__init__(environment=_SandboxEnvironment())
        self.context = context

    def call_service(self, task, operation_name=None, operation_params=None, **_):
        if self.context.playback is not None:
            return self._play_back(task, operation_name)
        handler = registry.get_handler(operation_name)
        if handler is None:
            raise WorkflowError(f"service handler \"{operation_name}\" is not registered", task.task_spec.bpmn_id)
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        ctx = registry.HandlerContext(
            session=self.context.session, instance_id=self.context.instance_id,
            process_id=self.context.process_id, element_id=task.task_spec.bpmn_id,
            actor=self.context.actor, role=self.context.role, now=clock.now(), data=task.data,
            config=self.context.config)
        before = copy.deepcopy(task.data)
        savepoint = self.context.session.begin_nested() if self.context.session is not None else None
        try:
            result = handler(ctx, **params)
        except BaseException as exc:
            if savepoint is not None:
                savepoint.rollback()
            if isinstance(exc, (WorkflowError, sandbox.ScriptError)) or not isinstance(exc, Exception):
                raise
            raise WorkflowError(f"{operation_name}: {type(exc).__name__}: {exc}", task.task_spec.bpmn_id,
                                retry=retry_policy(task.task_spec, self.context.config)) from exc
        if savepoint is not None:
            savepoint.commit()
        after = {"result": result}
        changes = data_changes(before, task.data)
        if changes:  # what the handler itself did to the case's data (a replay must do it too)
            after["changes"] = changes
        self.context.service_runs.append(ServiceRun(task.task_spec.bpmn_id, operation_name, before, after,
                                                    ctx.events))
        return json.dumps(result)

    def _play_back(self, task, operation_name):
        """A replay: the recorded result and data changes of the handler, never the handler itself."""
        outcome = self.context.playback(task.task_spec.bpmn_id, operation_name)
        before = dict(task.data)
        changes = outcome.get("changes") or {}
        task.data.update(changes.get("set") or {})
        for key in changes.get("removed") or []:
            task.data.pop(key, None)
        after = {"result": outcome["result"]}
        if changes:
            after["changes"] = changes
        self.context.service_runs.append(ServiceRun(task.task_spec.bpmn_id, operation_name, before, after,
                                                    list(outcome.get("events") or [])))
        return json.dumps(outcome["result"])


def data_changes(before: dict, after: dict) -> dict:
    """The keys a handler set (with their new values) and the keys it removed (names only, so a secret it
    took out of the data, like a password hash, never reaches the journal)."""
    changed = {k: v for k, v in after.items() if k not in before or before[k] != v}
    removed = sorted(k for k in before if k not in after)
    out: dict = {}
    if changed:
        out["set"] = changed
    if removed:
        out["removed"] = removed
    return out


def retry_policy(task_spec, config: dict) -> dict:
    """How often and how fast the worker retries a failed handler: the element's
    ``<spiffworkflow:retry retries="3" backoff_base="30"/>``, else the configured defaults."""
    retries = getattr(task_spec, "retries", None)
    base = getattr(task_spec, "retry_backoff_base", None)
    return {"retries": int(retries if retries is not None else config.get("SERVICE_RETRIES", 3)),
            "backoff_base": int(base if base else config.get("SERVICE_BACKOFF_SECONDS", 30)),
            "backoff_max": int(config.get("SERVICE_BACKOFF_MAX_SECONDS", 3600))}


# --- plain views of the workflow -----------------------------------------------------------------

@dataclass(frozen=True)
class HumanTask:
    id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    pasal: str | None
    due: str | None


@dataclass
class StepReport:
    """What one call changed, for the journal and the projections."""

    completed: bool = False
    error: WorkflowError | None = None
    service_runs: list[ServiceRun] = field(default_factory=list)
    messages: list[tuple[str, dict]] = field(default_factory=list)


def new(bundle: Bundle, data: dict, context: ExecContext) -> BpmnWorkflow:
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=AlurScriptEngine(context))
    start = workflow.task_tree
    start.data.update(data)
    return workflow


def human_tasks(workflow: BpmnWorkflow, bundle: Bundle) -> list[HumanTask]:
    out = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        info = bundle.elements.get(task.task_spec.bpmn_id)
        out.append(HumanTask(str(task.id), task.task_spec.bpmn_id, info.name if info else task.task_spec.bpmn_id,
                             info.lane if info else None, info.form if info else None,
                             info.pasal if info else None, info.due if info else None))
    return out


def task_data(workflow: BpmnWorkflow, task_id: str) -> dict:
    task = workflow.get_task_from_id(UUID(task_id))
    return dict(task.data)


def case_data(workflow: BpmnWorkflow) -> dict:
    """The data of the most recently completed task: what the case knows now."""
    last = workflow.last_task
    if workflow.completed:
        ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if not t.children]
        if ends:
            last = max(ends, key=lambda t: t.last_state_change)
    if last is None:
        last = workflow.task_tree
    return dict(last.data)


def advance(workflow: BpmnWorkflow) -> StepReport:
    """Run engine steps until every branch waits for a person, a timer or a message."""
    report = StepReport()
    context: ExecContext = workflow.script_engine.context
    context.service_runs = report.service_runs
    try:
        workflow.do_engine_steps()
    except WorkflowError as exc:
        report.error = exc
    except SpiffWorkflowException as exc:
        report.error = _translate(exc)
    except sandbox.ScriptError as exc:
        report.error = WorkflowError(str(exc), None, exc.line, exc.offending_line)
    except Exception as exc:  # noqa: BLE001 - an engine fault becomes the instance's error, never a 500
        report.error = WorkflowError(f"{type(exc).__name__}: {exc}")
    report.messages = [_message(e) for e in workflow.get_events() if isinstance(e.event_definition,
                                                                                MessageEventDefinition)]
    report.completed = workflow.completed
    return report


def complete(workflow: BpmnWorkflow, task_id: str, data: dict) -> tuple[dict, dict, StepReport]:
    """Complete a ready human task with ``data``; returns the task's data before and after, and the report."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise LookupError(task_id)
    before = dict(task.data)
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as exc:
        return before, dict(task.data), StepReport(error=_translate(exc))
    after = dict(task.data)
    return before, after, advance(workflow)


def retry(workflow: BpmnWorkflow) -> StepReport:
    """Put the tasks that failed back to READY and run again."""
    for task in workflow.get_tasks(state=TaskState.ERROR):
        task._set_state(TaskState.READY)
    return advance(workflow)


def has_errors(workflow: BpmnWorkflow) -> bool:
    return workflow.get_next_task(state=TaskState.ERROR) is not None


def cancel(workflow: BpmnWorkflow) -> None:
    workflow.cancel()


def refresh_timers(workflow: BpmnWorkflow) -> StepReport:
    workflow.refresh_timers()
    return advance(workflow)


# SpiffWorkflow's timer event types; a date timer's class name does not end in "TimerEventDefinition".
_TIMER_TYPES = frozenset({"TimerEventDefinition", "TimeDateEventDefinition", "DurationTimerEventDefinition",
                          "CycleTimerEventDefinition"})


def next_timer(workflow: BpmnWorkflow) -> datetime | None:
    """When the earliest waiting timer of the workflow falls due (None when nothing waits on time)."""
    return min((due for _element, due in _timers(workflow)), default=None)


def due_timers(workflow: BpmnWorkflow, now: datetime) -> list[str]:
    """The element ids of the waiting timers that are due at ``now`` (what the worker is about to fire)."""
    return sorted(element for element, due in _timers(workflow) if due <= now)


def _timers(workflow: BpmnWorkflow) -> list[tuple[str, datetime]]:
    out: list[tuple[str, datetime]] = []
    for task in list(workflow.event_manager.tasks.values()):
        if not isinstance(task.task_spec.event_definition, TimerEventDefinition):
            continue
        value = task.task_spec.event_definition.details(task).value
        if isinstance(value, dict) and "next" in value:
            due = datetime.fromisoformat(value["next"])
        elif isinstance(value, str):
            try:
                due = TimerEventDefinition.get_datetime(value)
            except ValueError:
                try:
                    due = TimerEventDefinition.parse_time_or_duration(value)
                except Exception:  # noqa: BLE001 - unparseable: poll again soon
                    due = clock.now()
        else:
            due = clock.now()
        if not isinstance(due, datetime):
            due = clock.now()
        out.append((task.task_spec.bpmn_id, due.astimezone(timezone.utc)))
    return out


def waiting_messages(workflow: BpmnWorkflow) -> list[str]:
    return [e.name for e in workflow.waiting_events() if e.event_type == "MessageEventDefinition"]


def deliver_message(workflow: BpmnWorkflow, name: str, payload: dict, correlations: dict | None = None) -> StepReport:
    """Hand an incoming message (e.g. LKPP's answer) to the tasks waiting for it."""
    definition = _waiting_definition(workflow, name) or MessageEventDefinition(name)
    event = BpmnEvent(definition, payload=payload, correlations=correlations or {})
    if workflow.event_manager.catch(event, internal=False) == 0:
        raise LookupError(name)
    return advance(workflow)


def _waiting_definition(workflow: BpmnWorkflow, name: str):
    """The waiting task's own message definition: the engine matches events by class as well as by name,
    and the parser makes its own subclass (a Camunda-drawn receive task waits for one of those)."""
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        for each in [definition, *getattr(definition, "event_definitions", [])]:
            if isinstance(each, MessageEventDefinition) and each.name == name:
                return each
    return None


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """For the diagram: each element id that has run or is running, and how it stands."""
    states: dict[str, str] = {}
    rank = {"COMPLETED": 1, "READY": 3, "WAITING": 3, "STARTED": 3, "ERROR": 4, "CANCELLED": 0}
    tasks = list(workflow.get_tasks())
    for sp in workflow.subprocesses.values():
        tasks.extend(sp.get_tasks())
    for task in tasks:
        eid = task.task_spec.bpmn_id
        name = TaskState.get_name(task.state)
        if eid is None or name not in rank:
            continue
        if rank[name] >= rank.get(states.get(eid, ""), -1):
            states[eid] = name.lower()
    return states


def _message(event: BpmnEvent) -> tuple[str, dict]:
    payload = event.payload if isinstance(event.payload, dict) else {"value": event.payload}
    return event.event_definition.name, payload


def _translate(exc: SpiffWorkflowException) -> WorkflowError:
    task_spec = getattr(exc, "task_spec", None)
    element_id = getattr(task_spec, "bpmn_id", None) if task_spec is not None else None
    line = getattr(exc, "line_number", None) or None
    offending = getattr(exc, "error_line", None) or None
    cause = exc.__cause__ or exc.__context__
    message = str(exc)
    if isinstance(cause, sandbox.ScriptError):
        line = line or cause.line
        offending = offending or cause.offending_line
        message = f"{message}: {cause}"
    elif isinstance(cause, WorkflowError):
        return cause
    elif cause is not None and str(cause) not in message:
        message = f"{message}: {type(cause).__name__}: {cause}"
    return WorkflowError(message, element_id, line, offending)
