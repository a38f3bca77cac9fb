"""Scheduled processes: one new case per occurrence of a timer start event.

At deploy, each process whose start event carries a timer (``bpmn.schedule_of``) gets a row in
``schedules`` that follows its latest version; the worker also brings the table up to date once when it
starts, for diagrams deployed before it existed. The worker claims a due row (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite runs one worker), starts one case as ``system`` with
``{"scheduled_for": <occurrence>}`` and moves the row to the next occurrence in the same transaction. A
crash before the commit starts nothing and moves nothing, so the next pass starts that occurrence: never
twice, never lost. Occurrences missed while no worker ran are each started, oldest first.

The started case does not wait on its start timer: the compiled copy of a scheduled process runs its
start event as a plain one (``bpmn._compiled_copy``).
"""
from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from .. import bpmn, clock, recurrence
from ..db import Database
from ..models import BpmnModel, ProcessVersion, Schedule
from ..principal import SYSTEM

log = logging.getLogger(__name__)
_FAILURE_PAUSE = 60.0  # seconds a worker leaves a schedule alone after starting its case failed
_failing: dict[int, float] = {}
_synced: "weakref.WeakSet[Database]" = weakref.WeakSet()


@dataclass(frozen=True)
class ScheduleView:
    process_id: str
    process_version: int
    element_id: str
    kind: str
    expression: str
    next_due: datetime | None
    last_due: datetime | None
    last_instance_id: int | None
    active: bool


def rule_of(row: Schedule) -> recurrence.Rule:
    return recurrence.Rule(datetime.fromisoformat(row.anchor), row.period, row.cycles)


def sync(session, infos: list[bpmn.ProcessInfo], now: datetime) -> None:
    """Inside a deploy: point each process's schedule at its latest version (or retire it)."""
    for info in infos:
        _sync_one(session, info.process_id, info.schedule, now)


def _sync_one(session, process_id: str, timer: bpmn.Schedule | None, now: datetime) -> None:
    version_id = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_id == process_id)
                                .order_by(ProcessVersion.version.desc()).limit(1))
    row = session.scalars(select(Schedule).where(Schedule.process_id == process_id)).first()
    if timer is None or timer.kind == "none":
        if row is not None and row.active:
            row.active, row.next_due, row.process_version_id, row.updated_at = False, None, version_id, now
            log.info("schedule retired", extra={"process_id": process_id})
        return
    if row is not None and row.active and (row.kind, row.expression) == (timer.kind, timer.expression):
        # Same timer in a new version: keep its place, so no occurrence is repeated or skipped.
        row.process_version_id, row.element_id, row.updated_at = version_id, timer.element_id, now
        return
    rule = recurrence.parse(timer.kind, timer.expression, now)
    index = rule.first_at_or_after(now)
    due = rule.due(index) if index is not None else None
    values = {"process_version_id": version_id, "element_id": timer.element_id, "kind": timer.kind,
              "expression": timer.expression, "anchor": rule.anchor.isoformat(), "period": rule.period,
              "cycles": rule.cycles, "next_index": index if index is not None else 0, "next_due": due,
              "active": True, "updated_at": now}
    if row is None:
        session.add(Schedule(process_id=process_id, created_at=now, last_due=None, last_instance_id=None, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    log.info("schedule recorded", extra={"process_id": process_id, "expression": timer.expression,
                                         "next_due": due.isoformat() if due else None})


def sync_all(db: Database) -> None:
    """Bring every process's schedule up to date from its latest deployed diagram (worker start-up)."""
    now = clock.now()
    with db.unit_of_work() as session:
        latest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
                  .group_by(ProcessVersion.process_id).subquery())
        rows = session.execute(
            select(ProcessVersion.process_id, BpmnModel.filename, BpmnModel.xml)
            .join(BpmnModel, BpmnModel.id == ProcessVersion.model_id)
            .join(latest, (latest.c.process_id == ProcessVersion.process_id) & (latest.c.v == ProcessVersion.version))
        ).all()
        for process_id, filename, xml in rows:
            doc = bpmn.read(xml, filename, max_bytes=1 << 30, max_depth=1 << 10)
            process = next((p for p in doc.root.iterfind("bpmn:process", bpmn.NS) if p.get("id") == process_id), None)
            try:
                _sync_one(session, process_id, bpmn.schedule_of(process) if process is not None else None, now)
            except recurrence.RuleError as exc:
                log.error("schedule cannot be recorded", extra={"process_id": process_id, "problem": str(exc)})


def run_due(db: Database, config: dict, limit: int = 100) -> int:
    """Start the cases of due occurrences, one transaction each, oldest first; how many were started."""
    if db not in _synced:
        sync_all(db)
        _synced.add(db)
    started = 0
    skip: set[int] = {sid for sid, until in list(_failing.items()) if until > time.monotonic()}
    while started < limit:
        claimed: list[int] = []
        try:
            if not start_next(db, config, skip, claimed):
                break
            started += 1
        except Exception:  # noqa: BLE001 - one broken schedule must not stop the others
            log.exception("scheduled start failed", extra={"schedule_id": claimed[0] if claimed else None})
            if not claimed:
                break
            skip.add(claimed[0])
            _failing[claimed[0]] = time.monotonic() + _FAILURE_PAUSE
    return started


def start_next(db: Database, config: dict, skip: set[int] = frozenset(), claimed: list[int] | None = None) -> bool:
    """Claim the most overdue schedule, start its case and advance it, all in one transaction."""
    from . import instances

    now = clock.now()
    with db.unit_of_work() as session:
        query = (select(Schedule).where(Schedule.active.is_(True), Schedule.next_due <= now)
                 .order_by(Schedule.next_due).limit(1))
        if skip:
            query = query.where(Schedule.id.not_in(skip))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        row = session.scalars(query).first()
        if row is None:
            return False
        if claimed is not None:
            claimed.append(row.id)
        rule = rule_of(row)
        index = row.next_index
        due = rule.due(index)
        version = session.get(ProcessVersion, row.process_version_id)
        facts, _workflow, _step = instances.start_version(
            session, version, {"scheduled_for": due.isoformat()}, SYSTEM, config, None, now)
        instance_id = facts["id"]
        following = rule.due(index + 1)
        moved = session.execute(update(Schedule).where(Schedule.id == row.id, Schedule.next_index == index).values(
            next_index=index + 1, next_due=following, last_due=due, last_instance_id=instance_id, updated_at=now))
        if moved.rowcount != 1:  # another worker got there first: undo this start
            raise RuntimeError(f"schedule {row.id} moved under us")
        log.info("scheduled case started", extra={"process_id": row.process_id, "instance_id": instance_id,
                                                  "scheduled_for": due.isoformat()})
    _failing.pop(row.id, None)
    return True


def list_schedules(db: Database) -> list[ScheduleView]:
    with db.reader() as session:
        rows = session.execute(select(Schedule, ProcessVersion.version)
                               .join(ProcessVersion, ProcessVersion.id == Schedule.process_version_id)
                               .order_by(Schedule.process_id)).all()
        return [ScheduleView(s.process_id, v, s.element_id, s.kind, s.expression, s.next_due, s.last_due,
                             s.last_instance_id, s.active) for s, v in rows]
