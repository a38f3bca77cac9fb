"""Replaying cases: the case as it was after any event, and the check that a case's journal is what its
pinned diagram does with the recorded inputs. Read-only: nothing is written, no handler runs."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import runtime
from ..db import Database
from ..errors import NotFound, ValidationFailed
from ..models import Instance, JournalEvent
from ..principal import Principal
from ..replay import Divergence, Recorded, Replayer, Result, bucket
from . import definitions
from .instances import _visible

_COLUMNS = [getattr(JournalEvent, c) for c in ("seq", "type", "element_id", "element_name", "actor", "role",
                                                "pasal", "reason", "data", "at")]


@dataclass(frozen=True)
class CaseAt:
    """The case after event ``upto`` of ``total``: what the replay endpoint and the timeline show."""

    instance_id: int
    process_id: str
    process_version: int
    upto: int
    total: int
    event: Recorded
    result: Result


@dataclass(frozen=True)
class Check:
    instance_id: int
    process_id: str
    events: int
    divergence: Divergence | None


def case_at(db: Database, instance_id: int, principal: Principal, config: dict, upto: int | None = None) -> CaseAt:
    with db.reader() as session:
        instance = _visible(session, instance_id, principal)
        total = instance.journal_seq
        if upto is None:
            upto = total
        if not 1 <= upto <= total:
            raise ValidationFailed(
                f"Kasus {instance_id} mencatat peristiwa 1 sampai {total}. / Case {instance_id} has events 1 to {total}.",
                {"upto": [f"Pilih angka 1 sampai {total} / Choose a number from 1 to {total}"]})
        events = recorded(session, instance_id, total)
        bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
    result = Replayer(bundle, instance.process_version, config, instance_id).run(events, upto)
    return CaseAt(instance_id, instance.process_id, instance.process_version, upto, total, events[upto - 1], result)


def check(db: Database, instance_id: int, config: dict) -> Check:
    """Replay the whole case and compare it with its journal and, at the end, with the stored case."""
    with db.reader() as session:
        instance = session.connection().execute(
            select(Instance.id, Instance.process_id, Instance.process_version_id, Instance.model_hash,
                   Instance.state, Instance.workflow, Instance.journal_seq).where(Instance.id == instance_id)).first()
        if instance is None:
            raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
        return _check(session, instance, config)


def check_all(db: Database, config: dict, batch: int = 200):
    """Every case, oldest first, one ``Check`` each (a generator, so a long run can show progress)."""
    after = 0
    while True:
        with db.reader() as session:
            rows = session.connection().execute(
                select(Instance.id, Instance.process_id, Instance.process_version_id, Instance.model_hash,
                       Instance.state, Instance.workflow, Instance.journal_seq)
                .where(Instance.id > after).order_by(Instance.id).limit(batch)).all()
            if not rows:
                return
            checks = [_check(session, row, config) for row in rows]
        yield from checks
        after = rows[-1].id


def count(db: Database) -> int:
    from sqlalchemy import func

    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(Instance)) or 0


def _check(session, instance, config: dict) -> Check:
    from ..models import ProcessVersion

    events = recorded(session, instance.id, instance.journal_seq)
    bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
    version = session.scalar(select(ProcessVersion.version).where(ProcessVersion.id == instance.process_version_id))
    result = Replayer(bundle, version, config, instance.id).run(events)
    divergence = result.divergence
    if divergence is None:
        divergence = _against_stored(bundle, instance, result, config)
    return Check(instance.id, instance.process_id, len(events), divergence)


def _against_stored(bundle, instance, result: Result, config: dict) -> Divergence | None:
    """The replay's end must be the case as stored: its state, data and the state of every element."""
    context = runtime.ExecContext(None, instance.id, instance.process_id, None, None, config)
    live = runtime.load(bundle, instance.workflow, context)
    seq = instance.journal_seq
    if result.state != instance.state:
        return Divergence(seq, "case state", instance.state, result.state)
    stored = runtime.case_data(live)
    if result.data != stored:
        key = next(k for k in sorted(set(stored) | set(result.data)) if stored.get(k) != result.data.get(k))
        return Divergence(seq, f"case data.{key}", stored.get(key), result.data.get(key))
    stored_states = {element: bucket(state) for element, state in runtime.element_states(live).items()}
    for element in sorted(set(stored_states) | {e for e, s in result.elements.items() if s != "not_reached"}):
        wanted, mine = stored_states.get(element, "not_reached"), result.elements.get(element, "not_reached")
        if mine != wanted:
            return Divergence(seq, f"element {element}", wanted, mine)
    return None


def recorded(session, instance_id: int, through: int | None = None) -> list[Recorded]:
    """The journal of one case, oldest first, as plain data; up to event ``through`` (the instance row's
    ``journal_seq`` as read, so a step written meanwhile is not half compared with an older row)."""
    query = select(*_COLUMNS).where(JournalEvent.instance_id == instance_id)
    if through is not None:
        query = query.where(JournalEvent.seq <= through)
    rows = session.execute(query.order_by(JournalEvent.seq)).all()
    return [Recorded.from_row(r) for r in rows]
