"""The inbox and task completion."""
from __future__ import annotations

import json

from marshmallow import ValidationError, fields
from sqlalchemy import func, or_, select, update

from .. import clock, registry, runtime
from ..db import Database
from ..formfields import DocumentRef
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..journal import Event
from ..models import Instance, Task
from ..models.task import COMPLETED, READY
from ..principal import Principal
from ..roles import EXTERNAL
from ..store import Step, diff, step_events, write_step
from ..views import InstanceView, TaskView
from . import documents, instances


def _mine(principal: Principal):
    """Staff see their lanes' tasks; suppliers and other users only the tasks of their own cases."""
    shared = sorted(principal.roles - EXTERNAL)
    if not shared:
        return Task.assignee == principal.username
    return or_(Task.role.in_(shared), Task.assignee == principal.username)


def inbox(db: Database, principal: Principal, *, process_id: str | None = None, limit: int = 50,
          offset: int = 0) -> tuple[list[TaskView], dict[str, int]]:
    """Open tasks of the caller's roles (and tasks assigned to the caller), overdue first; counts per process."""
    with db.reader() as session:
        where = [Task.state == READY, _mine(principal)]
        if process_id:
            where.append(Task.process_id == process_id)
        rows = session.scalars(select(Task).where(*where)
                               .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
                               .limit(limit).offset(offset)).all()
        counts = dict(session.execute(select(Task.process_id, func.count()).where(Task.state == READY,
                                                                                  _mine(principal))
                                      .group_by(Task.process_id)).all())
        return [instances.task_view(t) for t in rows], counts


def get_task(db: Database, task_id: str, principal: Principal) -> TaskView:
    with db.reader() as session:
        task = session.get(Task, task_id)
        if task is None or not _may_see(session, task, principal):
            raise NotFound(f"Tugas {task_id} tidak ditemukan. / Task {task_id} not found.")
        return instances.task_view(task)


def _may_see(session, task: Task, principal: Principal) -> bool:
    if principal.sees_everything or task.role in principal.roles or task.assignee == principal.username:
        return True
    started_by = session.scalar(select(Instance.started_by).where(Instance.id == task.instance_id))
    return started_by == principal.username


def complete(db: Database, task_id: str, data: dict, principal: Principal, config: dict,
             request_id: str | None = None) -> InstanceView:
    if not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["Harus objek JSON / Must be a JSON object"]})
    now = clock.now()
    with db.unit_of_work() as session:
        row = session.execute(select(Task, Instance).join(Instance, Instance.id == Task.instance_id)
                              .where(Task.id == task_id)).first()
        if row is None:
            raise NotFound(f"Tugas {task_id} tidak ditemukan. / Task {task_id} not found.")
        task, instance = row
        role = _acting_role(task, principal)
        if task.state != READY:
            raise Conflict(f"Tugas ini sudah {task.state}. / This task is already {task.state}.",
                           task_state=task.state)
        clean = _validated(task.form, data)
        snap, bundle, workflow = instances.load_for_update(session, instance, principal, role, config)
        before_ready = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
        if task_id not in before_ready:
            raise Conflict("This task is no longer open in the case; reload it.")
        attached = documents.attach(session, _document_ids(task.form, clean), instance.id, principal)
        before, after, report = runtime.complete(workflow, task_id, clean)
        facts = {"task_id": task_id, "input": clean, **diff(before, after)}
        if attached:
            facts["documents"] = attached
        step = Step([Event("task.completed", task.element_id, task.name, principal.username, role, task.pasal,
                           data=facts)], {task_id})
        step.events.extend(step_events(report, bundle, principal.username, role))
        done = session.execute(update(Task).where(Task.id == task_id, Task.state == READY)
                               .values(state=COMPLETED, completed_at=now, completed_by=principal.username))
        if done.rowcount != 1:
            raise Conflict("Tugas ini baru saja diselesaikan orang lain. / Someone else just completed this task.")
        write_step(session, snap, workflow, bundle, before_ready, step, report, principal.username, request_id, now)
        return instances._view(session, instance.id, workflow, bundle)


def _acting_role(task: Task, principal: Principal) -> str | None:
    if principal.read_only:
        raise Forbidden("Auditor hanya membaca. / An auditor reads and never completes tasks.")
    if task.assignee is not None and task.assignee != principal.username:
        raise Forbidden(f"Tugas ini ditugaskan kepada {task.assignee}. / This task is assigned to {task.assignee}.")
    if task.role is None:
        if task.assignee == principal.username:
            return sorted(principal.roles)[0] if principal.roles else None
        raise Forbidden("This task belongs to the case's initiator.")
    if task.role not in principal.roles:
        raise Forbidden(f"Tugas ini untuk peran {task.role}. / This task is for the role {task.role}.",
                        required_role=task.role)
    return task.role


def _validated(form: str | None, data: dict) -> dict:
    if not form:
        return data
    schema = registry.get_form(form)
    if schema is None:
        raise ValidationFailed(f"form {form} is not registered", {"_form": [f"unknown form {form}"]})
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("Periksa isian yang ditandai. / Check the marked fields.", exc.messages) from None
    return json.loads(json.dumps(loaded, default=_jsonable))


def _document_ids(form: str | None, clean: dict) -> list[str]:
    """Ids of uploaded documents the form's document fields refer to."""
    if not form:
        return []
    ids: list[str] = []
    for name, field in registry.get_form(form).fields.items():
        value = clean.get(field.data_key or name)
        if isinstance(field, DocumentRef) and value:
            ids.append(value)
        elif isinstance(field, fields.List) and isinstance(field.inner, DocumentRef) and value:
            ids.extend(value)
    return ids


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
