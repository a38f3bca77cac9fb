"""Tasks that passed their service level: the lane's staff are told once (a worker job).

Read through the inbox index (role, state, due_at), one staff lane at a time, at most once a minute.
Each notice is claimed by inserting its row; a second worker's insert of the same task fails and that
worker skips it, so a lane hears of an overdue task exactly once.
"""
from __future__ import annotations

import logging
import time

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from engine import clock
from engine.db import Database
from engine.models import OverdueNotice, Task
from engine.models.task import READY
from engine.roles import STAFF

from . import recipients, service, tasks

log = logging.getLogger(__name__)
TEMPLATE = "tugas_terlambat"
EVERY_SECONDS = 60.0
_last_run = 0.0


def run_due(db: Database, config: dict, *, force: bool = False) -> int:
    global _last_run
    if not force and time.monotonic() - _last_run < EVERY_SECONDS:
        return 0
    _last_run = time.monotonic()
    now = clock.now()
    with db.reader() as session:
        due = session.execute(select(Task.id).where(
            Task.role.in_(sorted(STAFF)), Task.state == READY, Task.due_at <= now,
            ~exists().where(OverdueNotice.task_id == Task.id)).order_by(Task.due_at).limit(200)).scalars().all()
    told = 0
    for task_id in due:
        try:
            told += _notify(db, config, task_id)
        except IntegrityError:
            continue  # another worker told this lane first
        except Exception:  # noqa: BLE001 - one task must not stop the others
            log.exception("overdue notice failed", extra={"task_id": task_id})
    return told


def _notify(db: Database, config: dict, task_id: str) -> int:
    now = clock.now()
    with db.unit_of_work() as session:
        session.add(OverdueNotice(task_id=task_id, notified_at=now))
        session.flush()  # the claim: fails at once if another worker holds it
        task = session.get(Task, task_id)
        if task is None or task.state != READY:
            return 0
        people = recipients.users_with_role(session, task.role)
        if not people:
            return 0
        context = {"kasus": {"id": task.instance_id, "proses": task.process_id,
                             "tautan": service.case_link(config, task.instance_id)},
                   "tugas": {"id": task.id, "nama": task.name, "peran": task.role,
                             "batas_waktu": task.due_at.isoformat() if task.due_at else None}}
        prefs = tasks.preferences(session, [p.user_id for p in people if p.user_id is not None])
        service.send(session, config, template=TEMPLATE, recipients=people, context=context,
                     instance_id=task.instance_id, kind="terlambat", task_id=task.id, event_type="task.overdue",
                     email_for=tasks.email_choice(prefs))
        return 1
