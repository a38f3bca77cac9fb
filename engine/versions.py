"""Comparing process versions and moving a running case onto a newer one, with SpiffWorkflow's diff tools.

``summary`` says what changed between two compiled versions (elements added, removed, changed).
``migrate`` moves a live workflow onto a newer version when that cannot break it, and otherwise says
which elements stand in the way and why; nothing of the workflow is touched when it refuses.

A case can move when none of the elements it has reached (completed, or open now) was removed, and no
element that is open now (a task in someone's inbox, a timer or message being waited for) changed what
it does. A change of connections only (``inputs``/``outputs``: a step inserted after the open task) is
fine: the open branches are predicted again on the new version. An element in error may change: that is
how a failing script is fixed before ``retry``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import runtime
from .bpmn import Bundle

# Attributes that only say how an element is wired to its neighbours.
FLOW_ATTRIBUTES = frozenset({"inputs", "outputs"})
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_REACHED = TaskState.COMPLETED | _OPEN | TaskState.ERROR


@dataclass(frozen=True)
class Change:
    element_id: str
    name: str | None
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """What a new version changes, element by element (engine-internal specs left out)."""

    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {kind: [{"element_id": c.element_id, "name": c.name, "attributes": list(c.attributes)}
                       for c in getattr(self, kind)] for kind in ("added", "removed", "changed")}


@dataclass(frozen=True)
class Obstacle:
    """Why a case cannot move: the element, its state in the case and what changed."""

    element_id: str
    name: str | None
    state: str
    problem: str  # "removed", "changed", "replaced" or "unaligned"
    attributes: tuple[str, ...] = ()
    replaced_by: str | None = None  # the new element the diff matched it with, by its place in the flow

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "name": self.name, "state": self.state, "problem": self.problem,
                "attributes": list(self.attributes), "replaced_by": self.replaced_by}


class MigrationRefused(Exception):
    def __init__(self, obstacles: list[Obstacle]):
        super().__init__(", ".join(f"{o.element_id} ({o.problem}, {o.state})" for o in obstacles))
        self.obstacles = obstacles


def _specs(bundle: Bundle) -> dict:
    return {bundle.spec.name: bundle.spec, **{k: v for k, v in bundle.subprocess_specs.items() if v is not None}}


def summary(old: Bundle, new: Bundle) -> Summary:
    """Elements added, removed and changed from ``old`` to ``new``, over the process and its subprocesses."""
    added, removed, changed = {}, {}, {}
    old_specs, new_specs = _specs(old), _specs(new)
    for name, spec in old_specs.items():
        other = new_specs.get(name)
        if other is None:
            removed.update({t.bpmn_id: _change(t) for t in spec.task_specs.values() if t.bpmn_id})
            continue
        diff = SpecDiff(runtime.SERIALIZER.registry, spec, other)
        added.update({t.bpmn_id: _change(t) for t in diff.added if t.bpmn_id})
        removed.update({t.bpmn_id: _change(t) for t in diff.removed if t is not None and t.bpmn_id})
        changed.update({t.bpmn_id: _change(t, attrs) for t, attrs in diff.changed.items() if t.bpmn_id})
    for name, spec in new_specs.items():
        if name not in old_specs:
            added.update({t.bpmn_id: _change(t) for t in spec.task_specs.values() if t.bpmn_id})
    # An element moved into or out of a subprocess is both removed and added under one id: call it changed.
    for element_id in set(added) & set(removed):
        changed[element_id] = Change(element_id, added.pop(element_id).name, ("parent",))
        removed.pop(element_id)
    ordered = lambda d: [d[k] for k in sorted(d)]  # noqa: E731
    return Summary(ordered(added), ordered(removed), ordered(changed))


def _change(task_spec, attributes=()) -> Change:
    name = " ".join(task_spec.bpmn_name.split()) if task_spec.bpmn_name else None
    return Change(task_spec.bpmn_id, name, tuple(sorted(attributes)))


def migrate(workflow, old: Bundle, new: Bundle):
    """A copy of ``workflow`` moved onto ``new``, loaded as every later step will load it.

    Raises ``MigrationRefused`` naming every element in the way; ``workflow`` itself is never changed.
    """
    state = runtime.dump(workflow)
    trial = runtime.load(old, state, workflow.script_engine.context)
    try:
        top, subs = diff_workflow(runtime.SERIALIZER.registry, trial, new.spec, new.subprocess_specs)
    except Exception as exc:  # noqa: BLE001 - a diff the engine cannot make refuses the move, never a 500
        raise MigrationRefused([Obstacle(new.process_id, None, "-", f"uncomparable: {type(exc).__name__}: {exc}")]) \
            from exc
    obstacles = _obstacles(top)
    for sp_id, sp_diff in subs.items():
        if sp_diff is None:
            owner = trial.get_task_from_id(sp_id)
            obstacles.append(_obstacle(owner, "removed"))
        else:
            obstacles.extend(_obstacles(sp_diff))
    if obstacles:
        raise MigrationRefused(_unique(obstacles))
    kept_waits = {t.id: copy.deepcopy(t.internal_data) for t in trial.get_tasks(state=TaskState.WAITING)}
    try:
        migrate_workflow(top, trial, new.spec)
        for sp_id, sp_diff in subs.items():
            sub = trial.subprocesses[sp_id]
            migrate_workflow(sp_diff, sub, new.subprocess_specs[sub.spec.name])
    except Exception as exc:  # noqa: BLE001 - the trial copy is thrown away; the case stays as it was
        raise MigrationRefused([Obstacle(new.process_id, None, "-", f"unmovable: {type(exc).__name__}: {exc}")]) \
            from exc
    trial.subprocess_specs = new.subprocess_specs
    for task in trial.get_tasks(state=TaskState.WAITING):
        if task.id in kept_waits:  # a timer keeps its due time, a message wait what it has seen
            task.internal_data.update(kept_waits[task.id])
    stray = [t for t in _all_tasks(trial) if t.task_spec.bpmn_id and not _belongs(t.task_spec, new)]
    if stray:
        raise MigrationRefused(_unique([_obstacle(t, "unaligned") for t in stray]))
    try:
        return runtime.load(new, runtime.dump(trial), workflow.script_engine.context)
    except Exception as exc:  # noqa: BLE001 - whatever stops the state loading on the new version refuses it
        raise MigrationRefused([Obstacle(new.process_id, None, "-", f"unloadable: {type(exc).__name__}: {exc}")]) \
            from exc


def _obstacles(diff) -> list[Obstacle]:
    out = []
    for task in diff.removed:
        if task.task_spec.bpmn_id and task.state & _REACHED:
            out.append(_obstacle(task, "removed"))
    for task in diff.changed:
        if not task.task_spec.bpmn_id or not task.state & _OPEN:
            continue
        attrs = [a for a in _changed_attributes(diff, task) if a not in FLOW_ATTRIBUTES]
        new_id = diff.alignment[task].bpmn_id
        if new_id != task.task_spec.bpmn_id:  # another element in its place: the open one is gone
            out.append(_obstacle(task, "replaced", attrs, replaced_by=new_id))
        elif attrs:
            out.append(_obstacle(task, "changed", attrs))
    return out


def _changed_attributes(diff, task) -> list[str]:
    # WorkflowDiff keeps no attribute list; recompute it the way SpecDiff does.
    new_spec = diff.alignment.get(task)
    if new_spec is None:
        return []
    a = runtime.SERIALIZER.registry.convert(task.task_spec)
    b = runtime.SERIALIZER.registry.convert(new_spec)
    if a.get("typename") != b.get("typename"):
        return ["typename"]
    return sorted(k for k, v in a.items() if b.get(k) != v)


def _obstacle(task, problem: str, attributes=(), replaced_by: str | None = None) -> Obstacle:
    spec = task.task_spec
    name = " ".join(spec.bpmn_name.split()) if spec.bpmn_name else None
    return Obstacle(spec.bpmn_id or spec.name, name, TaskState.get_name(task.state).lower(), problem,
                    tuple(attributes), replaced_by)


def _unique(obstacles: list[Obstacle]) -> list[Obstacle]:
    seen, out = set(), []
    for o in obstacles:
        if (o.element_id, o.problem) not in seen:
            seen.add((o.element_id, o.problem))
            out.append(o)
    return out


def _all_tasks(workflow) -> list:
    tasks = list(workflow.get_tasks(skip_subprocesses=True))
    for sp in workflow.subprocesses.values():
        tasks.extend(sp.get_tasks(skip_subprocesses=True))
    return tasks


def _belongs(task_spec, bundle: Bundle) -> bool:
    return any(spec.task_specs.get(task_spec.name) is task_spec for spec in _specs(bundle).values())
