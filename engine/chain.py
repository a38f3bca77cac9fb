"""Walking every journal chain in one pass and naming the first broken link of each.

``engine.journal.verify_instance`` answers "is this one case intact"; this module is for the auditor:
it streams the whole journal (a million events in well under a minute), says which event is wrong and
how (edited, deleted, inserted, cut), and also checks the chains against a signed checkpoint, which is
the only thing that shows a tail cut off together with the case row that records it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import hashlib
import json
from datetime import timezone

from sqlalchemy import DateTime, func, select, type_coerce

from .journal import GENESIS
from .models import Instance, JournalEvent

EDITED, DELETED, INSERTED, UNLINKED, TRUNCATED, REPLACED = (
    "edited", "deleted", "inserted", "unlinked", "truncated", "replaced")

# The fields ``engine.journal.event_hash`` hashes, besides ``at``. The walk rebuilds the same canonical JSON
# from plain tuples (the same encoder settings as ``journal.canonical``): a million events an order of magnitude
# sooner than through row mappings and aware datetimes. tests/test_audit_verify.py holds the two to one result.
_HASHED = ("instance_id", "seq", "type", "element_id", "element_name", "actor", "role", "model_hash", "pasal",
           "reason", "request_id", "data", "prev_hash")
# Bahasa Indonesia first, as in every message Alur shows; the English sentence names the details.
_SUMMARY = {EDITED: "Peristiwa diubah setelah ditulis", DELETED: "Peristiwa dihapus", INSERTED: "Peristiwa disisipkan",
            UNLINKED: "Rantai terputus: peristiwa sebelumnya dihapus atau diganti", TRUNCATED: "Ekor jurnal dipotong",
            REPLACED: "Rantai ditulis ulang"}


def _finding(instance_id: int, seq: int, event_id: int | None, kind: str, english: str) -> Finding:
    return Finding(instance_id, seq, event_id, kind,
                   f"{_SUMMARY[kind]} (kasus {instance_id}, peristiwa {seq}). / {english[0].upper()}{english[1:]}.")


_COLUMNS = [JournalEvent.id, JournalEvent.hash, type_coerce(JournalEvent.at, DateTime()).label("at"),
            *[getattr(JournalEvent, c) for c in _HASHED]]
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode


def row_hash(row) -> str:
    """``journal.event_hash`` of a row selected with ``_COLUMNS`` (its ``at`` naive UTC, as stored)."""
    body = dict(zip(_HASHED, row[3:]))
    at = row[2]
    body["at"] = (at.isoformat(timespec="microseconds") + "+00:00" if at.tzinfo is None
                  else at.astimezone(timezone.utc).isoformat(timespec="microseconds"))
    return hashlib.sha256(_ENCODE(body).encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One broken link: the case, the event's position (and id, when it still exists) and what is wrong."""

    instance_id: int
    seq: int
    event_id: int | None
    kind: str
    problem: str

    def as_dict(self) -> dict:
        return {"instance_id": self.instance_id, "seq": self.seq, "event_id": self.event_id, "kind": self.kind,
                "problem": self.problem}


@dataclass
class Report:
    instances: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)  # the first broken link of each broken case
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # each intact chain's count and head

    @property
    def verified(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None


def count_events(session, instance_id: int | None = None) -> int:
    query = select(func.count()).select_from(JournalEvent)
    if instance_id is not None:
        query = query.where(JournalEvent.instance_id == instance_id)
    return session.scalar(query) or 0


def walk(session, *, instance_id: int | None = None, checkpoint: dict[int, tuple[int, str]] | None = None,
         checkpoint_name: str = "", progress: Callable[[int], None] | None = None, batch: int = 10_000) -> Report:
    """Verify the chain of one case (or every case) against itself, its case row and ``checkpoint``.

    ``checkpoint`` maps a case id to the (count, head hash) a signed checkpoint recorded for it.
    ``progress`` is called with the number of events read so far, every ``batch`` events.
    """
    cases = select(Instance.id, Instance.journal_seq, Instance.journal_head).order_by(Instance.id)
    events = select(*_COLUMNS).order_by(JournalEvent.instance_id, JournalEvent.seq)
    if instance_id is not None:
        cases = cases.where(Instance.id == instance_id)
        events = events.where(JournalEvent.instance_id == instance_id)
    connection = session.connection()
    recorded = {row.id: (row.journal_seq, row.journal_head) for row in connection.execute(cases)}
    signed = dict(checkpoint or {})
    if instance_id is not None:
        signed = {k: v for k, v in signed.items() if k == instance_id}
    report = Report()
    chain: _Chain | None = None
    read = 0
    for row in connection.execute(events.execution_options(yield_per=batch)):
        read += 1
        if progress is not None and read % batch == 0:
            progress(read)
        if chain is None or row.instance_id != chain.instance_id:
            if chain is not None:
                chain.finish(report)
            chain = _Chain(row.instance_id, recorded.pop(row.instance_id, None), signed.pop(row.instance_id, None),
                           checkpoint_name)
        chain.step(row)
    if chain is not None:
        chain.finish(report)
    if progress is not None:
        progress(read)
    for case_id, (count, head) in sorted(recorded.items()):  # cases whose journal has no event at all
        _Chain(case_id, (count, head), signed.pop(case_id, None), checkpoint_name).finish(report)
    for case_id, (count, _head) in sorted(signed.items()):  # signed once, gone now (case row and all)
        report.findings.append(_finding(case_id, 1, None, TRUNCATED,
                                       f"case {case_id} and its {count} events are gone; {checkpoint_name} "
                                       f"recorded them"))
    report.findings.sort(key=lambda f: (f.instance_id, f.seq))
    return report


class _Chain:
    """The state of one case's chain while its events stream past."""

    def __init__(self, instance_id: int, recorded: tuple[int, str] | None, signed: tuple[int, str] | None,
                 checkpoint_name: str):
        self.instance_id, self.recorded, self.signed, self.name = instance_id, recorded, signed, checkpoint_name
        self.seq, self.head, self.before_head, self.last_id, self.beyond_id = 0, GENESIS, None, None, None
        self.finding: Finding | None = None

    def step(self, row) -> None:
        if self.finding is not None:
            return
        self.seq += 1
        seq, case = self.seq, self.instance_id
        if row.seq != seq:
            return self._broken(seq, row.id, DELETED, f"event {seq} of case {case} is missing: it was deleted "
                                                      f"(the next one found is event {row.seq}, id {row.id})")
        if row.prev_hash != self.head:
            if seq > 1 and row.prev_hash == self.before_head:
                return self._broken(seq - 1, self.last_id, INSERTED,
                                    f"event {seq - 1} of case {case} (id {self.last_id}) was inserted: event {seq} "
                                    f"points past it at event {seq - 2}")
            return self._broken(seq, row.id, UNLINKED,
                                f"event {seq} of case {case} (id {row.id}) does not point at the hash of event "
                                f"{seq - 1}: an event before it was deleted or replaced")
        if row_hash(row) != row.hash:
            return self._broken(seq, row.id, EDITED, f"event {seq} of case {case} (id {row.id}) was changed after "
                                                     f"it was written: its content no longer matches its hash")
        if self.signed is not None and seq == self.signed[0] and row.hash != self.signed[1]:
            return self._broken(seq, row.id, REPLACED, f"event {seq} of case {case} (id {row.id}) is not the one "
                                                       f"{self.name} signed: the chain was rewritten from here back")
        if self.recorded is not None and seq == self.recorded[0] + 1:
            self.beyond_id = row.id
        self.before_head, self.head, self.last_id = self.head, row.hash, row.id

    def _broken(self, seq: int, event_id: int | None, kind: str, problem: str) -> None:
        self.finding = _finding(self.instance_id, seq, event_id, kind, problem)

    def finish(self, report: Report) -> None:
        report.instances += 1
        report.events += self.seq if self.finding is None else self.seq - 1
        case, seq = self.instance_id, self.seq
        if self.finding is None and self.signed is not None and seq < self.signed[0]:
            self._broken(seq + 1, None, TRUNCATED, f"the journal of case {case} ends at event {seq} but {self.name} "
                                                   f"recorded {self.signed[0]} events: the tail was cut")
        if self.finding is None and self.recorded is None:
            self._broken(1, None, INSERTED, f"case {case} has journal events but no case row")
        if self.finding is None and self.recorded is not None:
            count, head = self.recorded
            if seq < count:
                self._broken(seq + 1, None, TRUNCATED, f"the journal of case {case} ends at event {seq}; the case "
                                                       f"records {count} events: the tail was cut")
            elif seq > count:
                self._broken(count + 1, self.beyond_id, INSERTED,
                             f"event {count + 1} of case {case} (id {self.beyond_id}) was added after the case's "
                             f"last recorded event {count}")
            elif head != self.head:
                self._broken(seq, self.last_id, REPLACED, f"event {seq} of case {case} (id {self.last_id}) is not "
                                                          f"the last event the case recorded")
        if self.finding is not None:
            report.findings.append(self.finding)
        else:
            report.heads[case] = (seq, self.head)
