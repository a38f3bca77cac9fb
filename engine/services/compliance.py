"""The compliance view of a case: each obligation (``pasal``) it touched, who carried it out, when, and
whether within its service level.

The service level of a user task is its ``due`` property (ISO 8601 duration, e.g. ``P1D``: the task row's
due date is computed from the same value when the task opens) and any timer boundary event attached to it:
a deadline timer that fired while the task was open means the task ran late (``escalated``), whatever its
due date. Service tasks run at once and have no service level of their own. Everything is read from the
journal, so the view is what the hash chain proves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import clock
from ..db import Database
from ..principal import Principal
from ..replay import Recorded, boundary_attachments
from ..store import _due
from . import definitions
from .instances import _visible
from .replay import recorded

ON_TIME, LATE, OPEN, OVERDUE, NO_LEVEL, AUTOMATIC = ("tepat_waktu", "terlambat", "berjalan", "lewat_batas",
                                                     "tanpa_batas", "otomatis")


@dataclass(frozen=True)
class Obligation:
    """One obligation carried out (or being carried out) by one element of the case."""

    pasal: str
    element_id: str | None
    element_name: str | None
    kind: str  # task, service, timer
    actor: str | None
    role: str | None
    opened_at: datetime | None
    done_at: datetime | None
    due: str | None
    deadline: datetime | None
    status: str
    escalated: bool
    seq: int


def obligations(db: Database, instance_id: int, principal: Principal) -> list[Obligation]:
    with db.reader() as session:
        instance = _visible(session, instance_id, principal)
        events = recorded(session, instance_id)
        bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
    return rows_for(events, bundle, clock.now())


def rows_for(events: list[Recorded], bundle, now: datetime) -> list[Obligation]:
    attached = boundary_attachments(bundle)
    opened: dict[str, Recorded] = {}
    fired: list[Recorded] = [e for e in events if e.type == "timer.fired"]
    rows: list[Obligation] = []
    for e in events:
        task_id = e.data.get("task_id")
        if e.type == "task.ready" and task_id:
            opened[task_id] = e
        elif e.type in ("task.completed", "task.cancelled") and task_id in opened:
            start = opened.pop(task_id)
            if e.type == "task.completed" and e.pasal:
                rows.extend(_task_rows(start, e, bundle, attached, fired, now))
        elif e.type == "service.run" and e.pasal:
            rows.extend(Obligation(p, e.element_id, e.element_name, "service", e.actor, e.role, e.at, e.at, None, None,
                                   AUTOMATIC, False, e.seq) for p in _split(e.pasal))
        elif e.type == "timer.fired" and e.pasal:
            rows.extend(Obligation(p, e.element_id, e.element_name, "timer", "system", None, e.at, e.at, None, None,
                                   LATE if e.element_id in attached else AUTOMATIC, e.element_id in attached, e.seq)
                        for p in _split(e.pasal))
    for start in opened.values():  # still open: on time so far, or past its deadline
        if start.pasal:
            rows.extend(_task_rows(start, None, bundle, attached, fired, now))
    return sorted(rows, key=lambda r: (r.seq, r.pasal))


def _task_rows(start: Recorded, done: Recorded | None, bundle, attached: dict[str, str], fired: list[Recorded],
               now: datetime) -> list[Obligation]:
    info = bundle.elements.get(start.element_id or "")
    due = info.due if info else None
    deadline = _due(due, start.at) if due else None
    end = done.at if done else None
    escalated = any(attached.get(t.element_id) == start.element_id and start.at <= t.at <= (end or now)
                    for t in fired)
    if done is None:
        status = OVERDUE if escalated or (deadline is not None and now > deadline) else OPEN
    elif escalated or (deadline is not None and end > deadline):
        status = LATE
    else:
        status = ON_TIME if deadline is not None else NO_LEVEL
    who = done or start
    return [Obligation(p, start.element_id, start.element_name, "task", done.actor if done else None, who.role,
                       start.at, end, due, deadline, status, escalated, who.seq) for p in _split(start.pasal)]


def _split(pasal: str | None) -> list[str]:
    return [p.strip() for p in (pasal or "").split(",") if p.strip()]
