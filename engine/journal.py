"""The hash-chained journal: appending events and verifying the chain.

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous event's hash, so
an edited, deleted or inserted event breaks the chain at that point.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from . import hooks
from .models import JournalEvent

GENESIS = "0" * 64
JOURNAL_INSERT = insert(JournalEvent.__table__)


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass
class Event:
    type: str
    element_id: str | None = None
    element_name: str | None = None
    actor: str | None = None
    role: str | None = None
    pasal: str | None = None
    reason: str | None = None
    data: dict | None = None


def event_hash(row: dict) -> str:
    body = {k: row[k] for k in ("instance_id", "seq", "type", "element_id", "element_name", "actor", "role",
                                "model_hash", "pasal", "reason", "request_id", "data", "prev_hash")}
    body["at"] = row["at"].isoformat(timespec="microseconds")
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def rows_for(instance_id: int, model_hash: str, seq: int, head: str, at: datetime, request_id: str | None,
             events: list[Event]) -> tuple[list[dict], int, str]:
    """The journal rows for ``events`` chained onto (seq, head); returns rows, new seq, new head."""
    rows = []
    for event in events:
        seq += 1
        row = {
            "instance_id": instance_id, "seq": seq, "type": event.type, "element_id": event.element_id,
            "element_name": event.element_name, "actor": event.actor, "role": event.role, "at": at,
            "model_hash": model_hash, "pasal": event.pasal, "reason": event.reason, "request_id": request_id,
            "data": canonical(event.data or {}), "prev_hash": head,
        }
        row["hash"] = head = event_hash(row)
        rows.append(row)
    return rows, seq, head


def write(session, rows: list[dict], *, process_id: str, started_by: str | None) -> None:
    """Insert the rows and tell the journal listeners (outbox, notifications) in the same transaction."""
    if not rows:
        return
    session.connection().execute(JOURNAL_INSERT, rows)
    hooks.notify(session, [hooks.Written(r["instance_id"], process_id, started_by, r["seq"], r["type"],
                                         r["element_id"], r["actor"], r["role"], r["at"], r["data"], r["hash"])
                           for r in rows])


@dataclass(frozen=True)
class Break:
    instance_id: int
    seq: int
    problem: str


def verify_instance(session, instance_id: int, expected_seq: int | None = None,
                    expected_head: str | None = None) -> Break | None:
    """The first broken link of one instance's chain, or None when it is intact."""
    head, seq = GENESIS, 0
    columns = [getattr(JournalEvent, c) for c in ("instance_id", "seq", "type", "element_id", "element_name",
                                                   "actor", "role", "at", "model_hash", "pasal", "reason",
                                                   "request_id", "data", "prev_hash", "hash")]
    result = session.execute(select(*columns).where(JournalEvent.instance_id == instance_id)
                             .order_by(JournalEvent.seq))
    for row in result.mappings():
        seq += 1
        if row["seq"] != seq:
            return Break(instance_id, seq, f"event {seq} is missing (next found is {row['seq']})")
        if row["prev_hash"] != head:
            return Break(instance_id, seq, f"event {seq} does not point at the hash of event {seq - 1}")
        if event_hash(dict(row)) != row["hash"]:
            return Break(instance_id, seq, f"event {seq} was changed after it was written")
        head = row["hash"]
    if expected_seq is not None and seq != expected_seq:
        return Break(instance_id, seq + 1, f"journal ends at event {seq}; the instance records {expected_seq}")
    if expected_head is not None and head != expected_head:
        return Break(instance_id, seq, "the last event's hash differs from the instance's recorded head")
    return None
