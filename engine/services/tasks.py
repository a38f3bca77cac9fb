"""The inbox and task completion."""
from __future__ import annotations

import json
from dataclasses import dataclass

from marshmallow import ValidationError, fields
from sqlalchemy import select, update

from .. import clock, registry, runtime, sql
from ..db import Database
from ..formfields import DocumentRef
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..journal import Event
from ..models import Instance, Task
from ..models.task import READY
from ..principal import Principal
from ..roles import EXTERNAL
from ..store import Step, diff, step_events, write_step
from ..views import InstanceView, TaskView
from . import documents, instances


def inbox(db: Database, principal: Principal, *, process_id: str | None = None,
          limit: int = 50) -> tuple[list[TaskView], dict[str, int]]:
    """Open tasks of the caller's roles (and tasks assigned to the caller), overdue first; counts per process.

    The first page only; ``engine.services.inbox.inbox`` has the filters and the cursor.
    """
    from . import inbox as box

    page = box.inbox(db, principal, box.Filters(process_id=process_id), limit=limit)
    return page.items, page.counts


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
        connection = session.connection()
        instance = connection.execute(sql.SELECT_TASK_AND_INSTANCE, {"_task": task_id}).first()
        if instance is None:
            raise NotFound(f"Tugas {task_id} tidak ditemukan. / Task {task_id} not found.")
        task = _TaskFacts(instance.task_state, instance.task_role, instance.assignee, instance.form,
                          instance.element_id, instance.task_name, instance.pasal)
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
        with clock.pinned(now):  # the step runs at its journaled time, so a replay sees the same now()
            before, after, report = runtime.complete(workflow, task_id, clean)
        facts = {"task_id": task_id, "input": clean, **diff(before, after)}
        if attached:
            facts["documents"] = attached
        step = Step([Event("task.completed", task.element_id, task.name, principal.username, role, task.pasal,
                           data=facts)], {task_id})
        step.events.extend(step_events(report, bundle, principal.username, role))
        done = connection.execute(sql.COMPLETE_TASK, {"_task": task_id, "at": now, "by": principal.username})
        if done.rowcount != 1:
            raise Conflict("Tugas ini baru saja diselesaikan orang lain. / Someone else just completed this task.")
        write_step(session, snap, workflow, bundle, before_ready, step, report, principal.username, request_id, now)
        return instances.view_after(session, instance, step, workflow)


@dataclass(frozen=True)
class _TaskFacts:
    state: str
    role: str | None
    assignee: str | None
    form: str | None
    element_id: str
    name: str
    pasal: str | None


def _acting_role(task, principal: Principal) -> str | None:
    if principal.read_only:
        raise Forbidden("Auditor hanya membaca. / An auditor reads and never completes tasks.")
    if task.assignee is not None and task.assignee != principal.username:
        raise Forbidden(f"Tugas ini ditugaskan kepada {task.assignee}. / This task is assigned to {task.assignee}.")
    if task.role is None:
        if task.assignee == principal.username:
            return sorted(principal.roles)[0] if principal.roles else None
        raise Forbidden("This task belongs to the case's initiator.")
    if task.role in EXTERNAL and task.assignee == principal.username and task.role not in principal.roles:
        # The applicant's lane: whoever started the case fills it in, a supplier or another SPSE user alike.
        return sorted(principal.roles & EXTERNAL or principal.roles)[0]
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


# --- claiming and reassigning: who in a role works on a task ------------------------------------------
# A task of a staff lane is open to everyone holding the role until one of them claims it; then only the
# claimant (the assignee) may complete it. Kepala may hand it to a colleague of that role, with a reason.
# Every change is journaled in the case's hash chain, under the case's optimistic version.

def claim(db: Database, task_id: str, principal: Principal, request_id: str | None = None) -> TaskView:
    def check(task, connection):
        role = _staff_lane(task, principal)
        if task.assignee == principal.username:
            return None  # already mine: nothing to change
        if task.assignee is not None:
            raise Conflict(f"Tugas ini sudah diambil oleh {task.assignee}. / {task.assignee} has already claimed "
                           f"this task.", assignee=task.assignee)
        return principal.username, Event("task.claimed", task.element_id, task.task_name, principal.username, role,
                                         task.pasal, data={"task_id": task_id, "assignee": principal.username})

    return _assign(db, task_id, principal, check, request_id)


def unclaim(db: Database, task_id: str, principal: Principal, request_id: str | None = None) -> TaskView:
    def check(task, connection):
        role = _staff_lane(task, principal)
        if task.assignee is None:
            return None
        if task.assignee != principal.username:
            raise Forbidden(f"Tugas ini diambil oleh {task.assignee}; hanya ia (atau Kepala LPSE dengan "
                            f"pengalihan) yang dapat melepasnya. / Only {task.assignee} (or the head, by "
                            f"reassigning) may release this task.")
        return None, Event("task.unclaimed", task.element_id, task.task_name, principal.username, role, task.pasal,
                           data={"task_id": task_id, "assignee": None, "previous": principal.username})

    return _assign(db, task_id, principal, check, request_id)


def reassign(db: Database, task_id: str, principal: Principal, assignee: str | None, reason: str,
             request_id: str | None = None) -> TaskView:
    """Kepala hands the task to ``assignee`` (who must hold its role), or releases it with ``None``."""
    from ..models import User

    reason = (reason or "").strip()
    if not principal.has("kepala") or principal.read_only:
        raise Forbidden("Hanya Kepala LPSE yang dapat mengalihkan tugas. / Only the head of the LPSE may reassign.")
    if not reason:
        raise ValidationFailed("a reason is required", {"reason": ["Alasan wajib diisi / A reason is required"]})

    def check(task, connection):
        if task.task_role is None or task.task_role in EXTERNAL:
            raise Conflict("Tugas pemohon tidak dapat dialihkan. / A task of the applicant cannot be reassigned.")
        if assignee is not None:
            user = connection.execute(select(User.roles, User.is_active).where(User.username == assignee)).first()
            if user is None or not user.is_active or task.task_role not in user.roles:
                raise ValidationFailed("unknown assignee", {"assignee": [
                    f"Tidak ada akun aktif \"{assignee}\" dengan peran {task.task_role} / No active account "
                    f"\"{assignee}\" holds the role {task.task_role}"]})
        if task.assignee == assignee:
            return None
        return assignee, Event("task.reassigned", task.element_id, task.task_name, principal.username, "kepala",
                               task.pasal, reason,
                               data={"task_id": task_id, "assignee": assignee, "previous": task.assignee})

    return _assign(db, task_id, principal, check, request_id)


def _staff_lane(task, principal: Principal) -> str:
    if principal.read_only:
        raise Forbidden("Auditor hanya membaca. / An auditor reads and never claims tasks.")
    if task.task_role is None or task.task_role in EXTERNAL:
        raise Conflict("Tugas ini milik pemohon kasus dan tidak diambil. / This task belongs to the case's "
                       "applicant and is not claimed.")
    if task.task_role not in principal.roles:
        raise Forbidden(f"Tugas ini untuk peran {task.task_role}. / This task is for the role {task.task_role}.",
                        required_role=task.task_role)
    return task.task_role


def _assign(db: Database, task_id: str, principal: Principal, check, request_id: str | None) -> TaskView:
    from .. import journal

    now = clock.now()
    with db.unit_of_work() as session:
        connection = session.connection()
        task = connection.execute(sql.SELECT_TASK_AND_INSTANCE, {"_task": task_id}).first()
        if task is None or not (principal.sees_everything or task.task_role in principal.roles
                                or task.assignee == principal.username):
            raise NotFound(f"Tugas {task_id} tidak ditemukan. / Task {task_id} not found.")
        if task.task_state != READY:
            raise Conflict(f"Tugas ini sudah {task.task_state}. / This task is already {task.task_state}.",
                           task_state=task.task_state)
        change = check(task, connection)
        if change is not None:
            new_assignee, event = change
            moved = connection.execute(update(Task).where(Task.id == task_id, Task.state == READY,
                                                          _same(Task.assignee, task.assignee))
                                       .values(assignee=new_assignee))
            if moved.rowcount != 1:
                raise Conflict("Tugas ini baru saja berubah; muat ulang. / This task just changed; reload it.")
            rows, seq, head = journal.rows_for(task.id, task.model_hash, task.journal_seq, task.journal_head, now,
                                               request_id, [event])
            bumped = connection.execute(update(Instance).where(Instance.id == task.id,
                                                               Instance.version == task.version)
                                        .values(version=task.version + 1, journal_seq=seq, journal_head=head,
                                                updated_at=now))
            if bumped.rowcount != 1:
                raise Conflict("Kasus ini baru saja diubah; muat ulang. / This case just changed; reload it.")
            journal.write(session, rows, process_id=task.process_id, started_by=task.started_by)
        row = connection.execute(select(Task.__table__).where(Task.id == task_id)).mappings().first()
        return instances.task_view(dict(row))


def _same(column, value):
    return column.is_(None) if value is None else column == value
