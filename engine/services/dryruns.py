"""Dry runs: start a draft or a deployed version with test data and step through it.

A dry run is for the analyst who is changing a procedure: the same engine, sandbox and forms as a
live case, and nothing of a live case. Its whole state is one ``dry_runs`` row; no instance, task,
journal, outbox or notification row is written, and no service-task handler is called
(``engine.dryrun``). Every ready task may be completed by the analyst, whatever its lane: the point
is to walk every path of the diagram.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import select

from .. import clock, dryrun, runtime
from ..db import Database
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models import BpmnModel, DryRun, ProcessVersion
from ..principal import Principal
from . import definitions, drafts
from .tasks import _validated

RUNNING, COMPLETED, ERROR = "running", "completed", "error"


@dataclass(frozen=True)
class DryRunView:
    id: str
    process_id: str
    source: str  # "draft" or "version"
    version: int | None
    model_hash: str
    state: str
    data: dict
    tasks: list[dict]
    path: list[dict]
    elements: dict[str, str]
    steps: list[dict]
    waiting: dict
    error: dict | None
    created_by: str
    created_at: object
    updated_at: object


def _check_role(principal: Principal) -> None:
    if not principal.has("analis"):
        raise Forbidden("Hanya analis proses yang menjalankan uji coba. / Only a process analyst (analis) runs "
                        "dry runs.")


def _object(value, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{field} must be a JSON object", {field: ["Harus objek JSON / Must be a JSON object"]})
    return value


def start(db: Database, principal: Principal, config: dict, *, xml: str | bytes | None = None,
          filename: str | None = None, process_id: str | None = None, version: int | None = None,
          data: dict | None = None, service_results: dict | None = None) -> DryRunView:
    """Start a dry run of a draft (``xml``) or of a deployed version (``process_id``, ``version``)."""
    _check_role(principal)
    data, service_results = _object(data, "data"), _object(service_results, "service_results")
    if (xml is None) == (process_id is None):
        raise ValidationFailed("give either the draft's xml or a deployed process_id",
                               {"xml": ["Isi xml (draf) atau process_id (versi terpasang). / Give xml (a draft) "
                                        "or process_id (a deployed version)."]})
    now = clock.now()
    row = DryRun(id=uuid.uuid4().hex, service_results=service_results, created_by=principal.username,
                 created_at=now, updated_at=now, error=None)
    if xml is not None:
        raw = xml.encode("utf-8") if isinstance(xml, str) else xml
        row.filename = filename or "draft.bpmn"
        bundle = drafts.compile_draft(db, raw, row.filename, config)
        row.process_id, row.process_version_id, row.model_hash, row.xml = bundle.process_id, None, bundle.model_hash, raw
    else:
        with db.reader() as session:
            pv = _version(session, process_id, version)
            bundle = definitions.bundle(session, pv.id, pv.process_id, pv.model_hash)
            row.filename = session.scalar(select(BpmnModel.filename).where(BpmnModel.id == pv.model_id))
        row.process_id, row.process_version_id, row.model_hash, row.xml = pv.process_id, pv.id, pv.model_hash, None
    ctx = dryrun.context(row.process_id, principal.username, service_results, config)
    workflow = dryrun.new(bundle, data, ctx)
    report = runtime.advance(workflow)
    row.steps = [{"action": "start", "at": now.isoformat(), "data": data}]
    _record(row, workflow, report, ctx, now)
    with db.unit_of_work() as session:
        session.add(row)
        session.flush()
        return _view(session, row, workflow, bundle)


def _version(session, process_id: str, version: int | None) -> ProcessVersion:
    if version is None:
        return definitions.latest_version(session, process_id)
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                     ProcessVersion.version == version))
    if pv is None:
        raise NotFound(f"No deployed process \"{process_id}\" version {version}.")
    return pv


def get(db: Database, run_id: str, principal: Principal, config: dict) -> DryRunView:
    _check_role(principal)
    with db.reader() as session:
        row = _row(session, run_id)
        bundle = _bundle(db, session, row, config)
        workflow = dryrun.load(bundle, row.workflow, dryrun.context(row.process_id, principal.username, {}, config))
        return _view(session, row, workflow, bundle)


def complete(db: Database, run_id: str, task_id: str, data: dict, principal: Principal, config: dict) -> DryRunView:
    """Complete a ready task of the dry run with ``data``, validated by the task's form as in a live case."""
    _check_role(principal)
    data = _object(data, "data")
    now = clock.now()
    with db.unit_of_work() as session:
        row = _row(session, run_id, lock=True)
        bundle = _bundle(db, session, row, config)
        ctx = dryrun.context(row.process_id, principal.username, row.service_results or {}, config)
        workflow = dryrun.load(bundle, row.workflow, ctx)
        ready = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
        if task_id not in ready:
            raise Conflict(f"Tugas {task_id} tidak terbuka dalam uji coba ini. / Task {task_id} is not open in this "
                           "dry run.", open_tasks=sorted(ready))
        clean = _validated(ready[task_id].form, data)
        _before, _after, report = runtime.complete(workflow, task_id, clean)
        row.steps = [*row.steps, {"action": "complete", "at": now.isoformat(), "task_id": task_id,
                                  "element_id": ready[task_id].element_id, "name": ready[task_id].name,
                                  "data": clean}]
        _record(row, workflow, report, ctx, now)
        return _view(session, row, workflow, bundle)


def delete(db: Database, run_id: str, principal: Principal) -> None:
    _check_role(principal)
    with db.unit_of_work() as session:
        session.delete(_row(session, run_id))


def list_runs(db: Database, principal: Principal, limit: int = 20) -> list[dict]:
    _check_role(principal)
    with db.reader() as session:
        rows = session.execute(select(DryRun.id, DryRun.process_id, DryRun.process_version_id, DryRun.state,
                                      DryRun.created_at).where(DryRun.created_by == principal.username)
                               .order_by(DryRun.created_at.desc()).limit(limit)).all()
        return [{"id": r.id, "process_id": r.process_id, "source": "version" if r.process_version_id else "draft",
                 "state": r.state, "created_at": r.created_at} for r in rows]


def _row(session, run_id: str, lock: bool = False) -> DryRun:
    row = session.get(DryRun, run_id, with_for_update=lock)
    if row is None:
        raise NotFound(f"Uji coba {run_id} tidak ditemukan. / Dry run {run_id} not found.")
    return row


def _bundle(db: Database, session, row: DryRun, config: dict):
    if row.process_version_id is not None:
        return definitions.bundle(session, row.process_version_id, row.process_id, row.model_hash)
    return drafts.compile_draft(db, row.xml, row.filename, config, row.process_id)


def _record(row: DryRun, workflow, report, ctx, now) -> None:
    """Keep the state and what this step did: the service calls it stood in for, and any error."""
    if ctx.calls:
        row.steps = [*row.steps, *({"action": "service", "at": now.isoformat(), **call} for call in ctx.calls)]
    row.workflow = runtime.dump(workflow)
    row.error = report.error.as_dict() if report.error is not None else None
    row.state = ERROR if report.error is not None else COMPLETED if report.completed else RUNNING
    row.updated_at = now


def _view(session, row: DryRun, workflow, bundle) -> DryRunView:
    version = None
    if row.process_version_id is not None:
        version = session.scalar(select(ProcessVersion.version).where(ProcessVersion.id == row.process_version_id))
    tasks = [asdict(t) for t in runtime.human_tasks(workflow, bundle)] if row.state == RUNNING else []
    return DryRunView(row.id, row.process_id, "version" if version is not None else "draft", version, row.model_hash,
                      row.state, runtime.case_data(workflow), tasks, dryrun.path(workflow, bundle),
                      runtime.element_states(workflow), list(row.steps), dryrun.waiting(workflow), row.error,
                      row.created_by, row.created_at, row.updated_at)
