"""Reading and verifying the journal of an instance."""
from __future__ import annotations

import json

from sqlalchemy import select

from ..db import Database
from ..journal import Break, verify_instance
from ..models import Instance, JournalEvent
from ..principal import Principal
from ..views import EventView
from .instances import _visible


def events(db: Database, instance_id: int, principal: Principal, *, after_seq: int = 0,
           limit: int = 1000) -> list[EventView]:
    with db.reader() as session:
        _visible(session, instance_id, principal)
        rows = session.scalars(select(JournalEvent).where(JournalEvent.instance_id == instance_id,
                                                          JournalEvent.seq > after_seq)
                               .order_by(JournalEvent.seq).limit(limit)).all()
        return [EventView(r.seq, r.type, r.element_id, r.element_name, r.actor, r.role, r.at, r.model_hash,
                          r.pasal, r.reason, r.request_id, json.loads(r.data), r.prev_hash, r.hash) for r in rows]


def verify(db: Database, instance_id: int, principal: Principal) -> Break | None:
    with db.reader() as session:
        instance = _visible(session, instance_id, principal)
        return verify_instance(session, instance_id, instance.journal_seq, instance.journal_head)


def verify_all(db: Database) -> list[Break]:
    with db.reader() as session:
        heads = session.execute(select(Instance.id, Instance.journal_seq, Instance.journal_head)
                                .order_by(Instance.id)).all()
        breaks = []
        for instance_id, seq, head in heads:
            problem = verify_instance(session, instance_id, seq, head)
            if problem is not None:
                breaks.append(problem)
        return breaks
