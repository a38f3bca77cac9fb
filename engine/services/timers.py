"""Firing due timers: the worker's half of the engine.

Due instances are claimed row by row inside their own transaction. On PostgreSQL the claim is
``FOR UPDATE SKIP LOCKED``, so several workers on several machines share the work and no timer fires
twice; on SQLite one worker runs (writers are serialized anyway).
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from .. import clock, runtime
from ..db import Database
from ..journal import Event
from ..models import Instance
from ..models.instance import RUNNING
from ..principal import SYSTEM
from ..store import Step, step_events, write_step
from . import instances

log = logging.getLogger(__name__)


def due_instance_ids(db: Database, limit: int = 100) -> list[int]:
    with db.reader() as session:
        return list(session.scalars(select(Instance.id).where(Instance.state == RUNNING,
                                                              Instance.next_timer_at <= clock.now())
                                    .order_by(Instance.next_timer_at).limit(limit)))


def fire(db: Database, instance_id: int, config: dict) -> bool:
    """Fire the due timers of one instance; False when another worker had it or nothing was due."""
    now = clock.now()
    with db.unit_of_work() as session:
        query = select(Instance).where(Instance.id == instance_id, Instance.state == RUNNING,
                                       Instance.next_timer_at <= now)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        instance = session.scalars(query).first()
        if instance is None:
            return False
        due = instance.next_timer_at
        snap, bundle, workflow = instances.load_for_update(session, instance, SYSTEM, None, config)
        before = {t.id: t for t in runtime.human_tasks(workflow, bundle)}
        elements = runtime.due_timers(workflow, now)
        with clock.pinned(now):
            report = runtime.refresh_timers(workflow)
        info = bundle.elements.get(elements[0]) if len(elements) == 1 else None
        step = Step([Event("timer.fired", info.element_id if info else None, info.name if info else None, "system",
                           pasal=info.pasal if info else None, data={"due": due.isoformat(), "elements": elements})])
        step.events.extend(step_events(report, bundle, "system", None))
        write_step(session, snap, workflow, bundle, before, step, report, "system", None, now)
    log.debug("timers fired", extra={"instance_id": instance_id, "elements": ",".join(elements)})
    return True


def run_due(db: Database, config: dict, limit: int = 100) -> int:
    fired = 0
    for instance_id in due_instance_ids(db, limit):
        try:
            fired += fire(db, instance_id, config)
        except Exception:  # noqa: BLE001 - one broken case must not stop the others
            log.exception("timer failed", extra={"instance_id": instance_id})
    return fired
