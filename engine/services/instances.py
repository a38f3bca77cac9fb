"""Starting, reading, cancelling and resuming process instances."""
from __future__ import annotations

from sqlalchemy import select

from .. import clock, runtime, sql
from ..db import Database
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..journal import GENESIS, Event
from ..models import Instance, ProcessVersion, Task
from ..models.instance import CANCELLED, COMPLETED, ERROR, RUNNING
from ..models.task import CANCELLED as TASK_CANCELLED, READY
from ..principal import Principal
from ..store import Snapshot, Step, diff, step_events, write_step
from ..views import InstanceView, TaskView
from . import definitions


def start(db: Database, process_id: str, data: dict, principal: Principal, config: dict,
          request_id: str | None = None) -> InstanceView:
    if not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["Harus objek JSON / Must be a JSON object"]})
    if principal.read_only:
        raise Forbidden("An auditor reads cases and never starts them.")
    with db.unit_of_work() as session:
        return start_in(session, process_id, data, principal, config, request_id)


def start_in(session, process_id: str, data: dict, principal: Principal, config: dict,
             request_id: str | None = None) -> InstanceView:
    """``start`` inside the caller's transaction (self-registration creates the account in the same one)."""
    version = session.connection().execute(sql.LATEST_VERSION, {"_pid": process_id}).first()
    if version is None:
        raise NotFound(f"Proses \"{process_id}\" belum dipasang. / No deployed process has the id \"{process_id}\".")
    facts, workflow, step = start_version(session, version, data, principal, config, request_id, clock.now())
    return _view(session, facts, workflow, step)


def start_version(session, version, data: dict, principal: Principal, config: dict, request_id: str | None, now):
    """Start a case of ``version`` inside the caller's transaction (the worker starts scheduled cases so).

    Returns the new instance's facts (with its ``id``), the live workflow and the written step.
    """
    connection = session.connection()
    process_id = version.process_id
    role = _starter_role(principal, version)
    bundle = definitions.bundle(session, version.id, version.process_id, version.model_hash)
    facts = {"process_id": process_id, "process_version_id": version.id, "model_hash": version.model_hash,
             "state": RUNNING, "version": 1, "workflow": "{}", "serializer_version": runtime.SERIALIZER_VERSION,
             "started_by": principal.username, "started_at": now, "updated_at": now, "journal_seq": 0,
             "journal_head": GENESIS}
    instance_id = connection.execute(sql.INSERT_INSTANCE, facts).scalar_one()
    context = runtime.ExecContext(session, instance_id, process_id, principal.username, role, config)
    with clock.pinned(now):  # the step runs at its journaled time, so a replay sees the same now()
        workflow = runtime.new(bundle, data, context)
        report = runtime.advance(workflow)
    step = Step([Event("instance.started", actor=principal.username, role=role,
                       data={"process_version": version.version, **diff({}, data)})])
    step.events.extend(step_events(report, bundle, principal.username, role))
    snap = Snapshot(instance_id, process_id, version.model_hash, 1, 0, GENESIS, RUNNING, principal.username)
    write_step(session, snap, workflow, bundle, {}, step, report, principal.username, request_id, now, new=True)
    facts.update(step.written, id=instance_id, process_version=version.version)
    return facts, workflow, step


def _starter_role(principal: Principal, version: ProcessVersion) -> str | None:
    allowed = set(version.starter_roles or [])
    held = sorted(principal.roles & allowed)
    if held:
        return held[0]
    if principal.has("system"):
        return "system"
    raise Forbidden(f"Proses \"{version.process_id}\" hanya dapat dimulai oleh peran: {', '.join(sorted(allowed))}. / "
                    f"Only these roles may start \"{version.process_id}\": {', '.join(sorted(allowed))}.")


def load_for_update(session, instance: Instance, principal: Principal, role: str | None, config: dict):
    """The instance's snapshot, compiled bundle and live workflow, ready to be stepped and written."""
    bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
    context = runtime.ExecContext(session, instance.id, instance.process_id, principal.username, role, config)
    workflow = runtime.load(bundle, instance.workflow, context)
    snap = Snapshot(instance.id, instance.process_id, instance.model_hash, instance.version,
                    instance.journal_seq, instance.journal_head, instance.state, instance.started_by, instance.error)
    return snap, bundle, workflow


def get(db: Database, instance_id: int, principal: Principal, config: dict) -> InstanceView:
    with db.reader() as session:
        instance = _visible(session, instance_id, principal)
        bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
        context = runtime.ExecContext(None, instance.id, instance.process_id, principal.username, None, config)
        workflow = runtime.load(bundle, instance.workflow, context)
        return _view(session, instance._mapping, workflow)


def _visible(session, instance_id: int, principal: Principal):
    """The instance's row (attribute access like the model), if the caller may see it."""
    instance = session.connection().execute(sql.SELECT_INSTANCE, {"_id": instance_id}).first()
    if instance is None:
        raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
    if not principal.sees_everything and instance.started_by != principal.username:
        # Suppliers see only their own cases; say "not found" so ids cannot be probed.
        raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
    return instance


def view_after(session, instance, step: Step, workflow) -> InstanceView:
    """The view of a case just written: the row as read, updated with what the step wrote."""
    return _view(session, {**instance._mapping, **step.written}, workflow, step)


def _view(session, facts, workflow, step: Step | None = None) -> InstanceView:
    """The case from its row's facts (a mapping) and its live workflow.

    After a step whose open tasks were all written by that step, the rows are already known; otherwise
    one query reads the open tasks.
    """
    if step is not None and step.open_rows is not None:
        tasks = step.open_rows
    else:
        tasks = session.connection().execute(sql.OPEN_TASKS, {"_id": facts["id"]}).all()
    return InstanceView(
        id=facts["id"], process_id=facts["process_id"], process_version=facts["process_version"],
        model_hash=facts["model_hash"], state=facts["state"], data=runtime.case_data(workflow),
        tasks=[task_view(t) for t in tasks], started_by=facts["started_by"], started_at=facts["started_at"],
        updated_at=facts["updated_at"], ended_at=facts["ended_at"], error=facts["error"], version=facts["version"],
        elements=runtime.element_states(workflow))


def task_view(t) -> TaskView:
    if isinstance(t, dict):
        return TaskView(t["id"], t["instance_id"], t["process_id"], t["element_id"], t["name"], t["role"], t["form"],
                        t["state"], t["assignee"], t["created_at"], t["due_at"], t["completed_at"],
                        t["completed_by"], t["pasal"])
    return TaskView(t.id, t.instance_id, t.process_id, t.element_id, t.name, t.role, t.form, t.state, t.assignee,
                    t.created_at, t.due_at, t.completed_at, t.completed_by, t.pasal)


def cancel(db: Database, instance_id: int, principal: Principal, reason: str, config: dict,
           request_id: str | None = None) -> InstanceView:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("a reason is required", {"reason": ["Alasan wajib diisi / A reason is required"]})
    now = clock.now()
    with db.unit_of_work() as session:
        instance = _visible(session, instance_id, principal)
        if not (principal.has("kepala") or instance.started_by == principal.username) or principal.read_only:
            raise Forbidden("Hanya Kepala LPSE atau pemohon yang dapat membatalkan kasus. / "
                            "Only the head of the LPSE or the case's initiator may cancel it.")
        if instance.state in (COMPLETED, CANCELLED):
            raise Conflict(f"Kasus sudah {instance.state}. / The case is already {instance.state}.")
        role = "kepala" if principal.has("kepala") else next(iter(sorted(principal.roles)), None)
        snap, bundle, workflow = load_for_update(session, instance, principal, role, config)
        before = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
        runtime.cancel(workflow)
        step = Step([Event("instance.cancelled", actor=principal.username, role=role, reason=reason)])
        _write_terminal(session, snap, workflow, bundle, before, step, principal, request_id, now, CANCELLED)
        return view_after(session, instance, step, workflow)


def _write_terminal(session, snap, workflow, bundle, before, step, principal, request_id, now, final_state):
    from sqlalchemy import update

    from .. import journal

    # Every open task of the case closes with it.
    for task in before.values():
        step.events.append(Event("task.cancelled", task.element_id, task.name, None, task.lane, task.pasal,
                                 data={"task_id": task.id}))
    rows, seq, head = journal.rows_for(snap.id, snap.model_hash, snap.journal_seq, snap.journal_head, now,
                                       request_id, step.events)
    values = {"workflow": runtime.dump(workflow), "serializer_version": runtime.SERIALIZER_VERSION,
              "state": final_state, "updated_at": now, "ended_at": now, "journal_seq": seq, "journal_head": head,
              "next_timer_at": None, "error": snap.error}
    result = session.connection().execute(sql.UPDATE_INSTANCE_VERSIONED, {
        "_id": snap.id, "_seen": snap.version, "_next": snap.version + 1, **values})
    step.written = {**values, "version": snap.version + 1}
    if result.rowcount != 1:
        raise Conflict("This case was changed by someone else just now; reload and try again.")
    session.execute(update(Task).where(Task.instance_id == snap.id, Task.state == READY)
                    .values(state=TASK_CANCELLED, completed_at=now))
    journal.write(session, rows, process_id=snap.process_id, started_by=snap.started_by)


def retry(db: Database, instance_id: int, principal: Principal, config: dict, request_id: str | None = None,
          reason: str | None = None) -> InstanceView:
    """Run the failed element again (after its cause was fixed); journaled as ``instance.retried``."""
    now = clock.now()
    with db.unit_of_work() as session:
        instance = _visible(session, instance_id, principal)
        if not principal.has("admin_sistem", "kepala", "analis", "system"):
            raise Forbidden("Only admin_sistem, kepala or analis may retry a failed case.")
        if instance.state != ERROR:
            raise Conflict(f"Kasus tidak dalam keadaan galat (state {instance.state}). / "
                           f"The case is not in error (state {instance.state}).")
        role = sorted(principal.roles)[0]
        workflow, step = retry_in(session, instance, principal, role, config, request_id, now, reason)
        return view_after(session, instance, step, workflow)


def retry_in(session, instance: Instance, principal: Principal, role: str | None, config: dict,
             request_id: str | None, now, reason: str | None = None, data: dict | None = None):
    """Run the failed elements of ``instance`` again inside the caller's transaction (the worker's retries)."""
    snap, bundle, workflow = load_for_update(session, instance, principal, role, config)
    before = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
    with clock.pinned(now):
        report = runtime.retry(workflow)
    step = Step([Event("instance.retried", actor=principal.username, role=role, reason=reason, data=data)])
    step.events.extend(step_events(report, bundle, principal.username, role))
    write_step(session, snap, workflow, bundle, before, step, report, principal.username, request_id, now)
    return workflow, step


def deliver_message(db: Database, instance_id: int, message: str, payload: dict, principal: Principal,
                    config: dict, request_id: str | None = None) -> InstanceView:
    """An incoming BPMN message (e.g. LKPP's answer) for a waiting instance."""
    if not isinstance(payload, dict):
        raise ValidationFailed("payload must be a JSON object", {"payload": ["Must be a JSON object"]})
    now = clock.now()
    with db.unit_of_work() as session:
        instance = _visible(session, instance_id, principal)
        role = sorted(principal.roles)[0] if principal.roles else None
        snap, bundle, workflow = load_for_update(session, instance, principal, role, config)
        if message not in runtime.waiting_messages(workflow):
            raise Conflict(f"Kasus {instance_id} tidak menunggu pesan \"{message}\". / "
                           f"Case {instance_id} is not waiting for message \"{message}\".")
        before = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
        try:
            with clock.pinned(now):
                report = runtime.deliver_message(workflow, message, payload)
        except LookupError:
            raise Conflict(f"Kasus {instance_id} tidak menerima pesan \"{message}\" saat ini. / "
                           f"Case {instance_id} does not accept message \"{message}\" now "
                           "(its correlation does not match).") from None
        step = Step([Event("message.received", actor=principal.username, role=role,
                           data={"message": message, **diff({}, payload)})])
        step.events.extend(step_events(report, bundle, principal.username, role))
        write_step(session, snap, workflow, bundle, before, step, report, principal.username, request_id, now)
        return view_after(session, instance, step, workflow)


def list_instances(db: Database, principal: Principal, *, process_id: str | None = None, state: str | None = None,
                   limit: int = 50, after_id: int | None = None, started_from=None, started_to=None) -> list[dict]:
    with db.reader() as session:
        query = select(Instance.id, Instance.process_id, Instance.state, Instance.started_by, Instance.started_at,
                       Instance.updated_at, Instance.ended_at, Instance.model_hash)
        if not principal.sees_everything:
            query = query.where(Instance.started_by == principal.username)
        if process_id:
            query = query.where(Instance.process_id == process_id)
        if state:
            query = query.where(Instance.state == state)
        if after_id:
            query = query.where(Instance.id < after_id)
        if started_from is not None:
            query = query.where(Instance.started_at >= started_from)
        if started_to is not None:
            query = query.where(Instance.started_at < started_to)
        rows = session.execute(query.order_by(Instance.id.desc()).limit(limit)).mappings().all()
        return [dict(r) for r in rows]
