"""The engine side of a dry run: the same compiled spec and sandbox as a live case, without side effects.

A service task's handler is never called in a dry run (a handler may create an account or send a
letter); the call is recorded with its evaluated parameters, and the task gets the result the analyst
gave for that element or handler in the test data (``null`` when none was given). Conditions, scripts
and forms run exactly as they would in a live case.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState

from . import runtime
from .bpmn import Bundle


@dataclass
class DryRunContext(runtime.ExecContext):
    """No session: nothing a dry run does can reach the database."""

    service_results: dict = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)


class DryRunScriptEngine(runtime.AlurScriptEngine):
    def call_service(self, task, operation_name=None, operation_params=None, **_):
        element_id = task.task_spec.bpmn_id
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        results = self.context.service_results
        result = results.get(element_id, results.get(operation_name))
        self.context.calls.append({"element_id": element_id, "handler": operation_name, "params": params,
                                   "result": result})
        return json.dumps(result)


def context(process_id: str, actor: str, service_results: dict, config: dict) -> DryRunContext:
    return DryRunContext(None, 0, process_id, actor, None, config, service_results=dict(service_results))


def new(bundle: Bundle, data: dict, ctx: DryRunContext):
    workflow = runtime.new(bundle, data, ctx)
    workflow.script_engine = DryRunScriptEngine(ctx)
    return workflow


def load(bundle: Bundle, state: str, ctx: DryRunContext):
    workflow = runtime.load(bundle, state, ctx)
    workflow.script_engine = DryRunScriptEngine(ctx)
    return workflow


def path(workflow, bundle: Bundle) -> list[dict]:
    """The diagram elements that have run, in the order they finished."""
    tasks = list(workflow.get_tasks(state=TaskState.COMPLETED))
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.get_tasks(state=TaskState.COMPLETED))
    out = []
    for task in sorted(tasks, key=lambda t: t.last_state_change):
        element_id = task.task_spec.bpmn_id
        if element_id is None:
            continue
        info = bundle.elements.get(element_id)
        out.append({"element_id": element_id, "name": info.name if info else element_id,
                    "kind": info.kind if info else type(task.task_spec).__name__})
    return out


def waiting(workflow) -> dict:
    """What the run waits for besides people: timers (a dry run never fires them) and messages."""
    due = runtime.next_timer(workflow)
    return {"timer_due": due.isoformat() if due else None, "messages": runtime.waiting_messages(workflow)}
