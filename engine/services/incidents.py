"""Incidents: a failed case, the worker's automatic retries, and the person who takes it over.

Every ``error`` written to a case's journal opens or updates the case's incident in the same
transaction (a journal listener). A service handler that failed (a service down, a timeout) is
*retrying*: the worker runs it again after ``backoff_base × 2^(n-1)`` seconds (at most ``backoff_max``)
as often as the element's ``<spiffworkflow:retry retries="3" backoff_base="30"/>`` or the configured
defaults allow. When the retries are exhausted, or at once for a failure no retry can fix (a script
bug, an unknown handler), the incident is *open*: it waits for ``admin_sistem``, journaled on the case as
``incident.opened`` so webhooks and notifications hear of it. A person retries it after fixing the cause
(a success resolves it) or resolves it with a reason (journaled as ``incident.resolved``).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from .. import clock, hooks, journal
from ..db import Database
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..journal import Event
from ..models import Incident, Instance
from ..models.incident import OPEN, RESOLVED, RETRYING
from ..models.instance import ERROR
from ..principal import SYSTEM, Principal

log = logging.getLogger(__name__)
ACTIVE = (RETRYING, OPEN)
READERS = ("admin_sistem", "kepala", "analis", "auditor")


@dataclass(frozen=True)
class IncidentView:
    id: int
    instance_id: int
    process_id: str
    element_id: str | None
    status: str
    retryable: bool
    attempts: int
    max_attempts: int
    next_retry_at: datetime | None
    error: dict
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


def backoff(attempts: int, base: int, cap: int) -> timedelta:
    """The wait before the next run, after ``attempts`` failed runs: base, 2×base, 4×base … at most cap."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


# --- the journal listener: failures recorded in the transaction that records the error -------------

@hooks.on_journal
def _on_journal(session, rows: list[hooks.Written]) -> None:
    by_instance: dict[int, list[hooks.Written]] = {}
    for row in rows:
        by_instance.setdefault(row.instance_id, []).append(row)
    for instance_id, written in by_instance.items():
        types = {r.type for r in written}
        errors = [r for r in written if r.type == "error"]
        if errors:
            _record_failure(session, errors[-1])
        elif types & {"instance.retried", "instance.cancelled", "instance.completed"}:
            reason = ("kasus dibatalkan / the case was cancelled" if "instance.cancelled" in types
                      else "berhasil dijalankan ulang / the retry succeeded")
            actor = next((r.actor for r in written if r.type in ("instance.retried", "instance.cancelled")), None)
            _resolve_active(session, instance_id, actor or "system", reason, written[0].at)


def _record_failure(session, row: hooks.Written) -> None:
    error = json.loads(row.data)
    policy = error.get("retry")
    at = row.at
    active = session.execute(select(Incident.id, Incident.element_id, Incident.status, Incident.attempts,
                                    Incident.max_attempts, Incident.retryable, Incident.backoff_base,
                                    Incident.backoff_max)
                             .where(Incident.instance_id == row.instance_id, Incident.status.in_(ACTIVE))
                             .order_by(Incident.id.desc()).limit(1)).first()
    if active is not None and active.element_id == error.get("element_id"):
        attempts = active.attempts + 1
        values = {"attempts": attempts, "error": error, "updated_at": at}
        if active.status == RETRYING and active.retryable and attempts < active.max_attempts:
            values["next_retry_at"] = at + backoff(attempts, active.backoff_base, active.backoff_max)
        elif active.status == RETRYING:
            values.update(status=OPEN, opened_at=at, next_retry_at=None)
        session.execute(update(Incident).where(Incident.id == active.id).values(**values))
        if values.get("status") == OPEN:
            _announce(session, row, active.id, attempts, error)
        return
    if active is not None:  # the case failed somewhere else now: that is a new incident
        _resolve(session, active.id, "system", "kasus gagal di elemen lain / the case failed at another element", at)
    retryable = policy is not None and int(policy.get("retries", 0)) > 0
    base = int(policy["backoff_base"]) if policy else 0
    cap = int(policy["backoff_max"]) if policy else 0
    incident_id = session.execute(insert(Incident).values(
        instance_id=row.instance_id, process_id=row.process_id, element_id=error.get("element_id"),
        status=RETRYING if retryable else OPEN, retryable=policy is not None, attempts=1,
        max_attempts=1 + (int(policy["retries"]) if policy else 0), backoff_base=base, backoff_max=cap,
        next_retry_at=at + backoff(1, base, cap) if retryable else None, error=error, created_at=at,
        updated_at=at, opened_at=None if retryable else at,
    ).returning(Incident.id)).scalar_one()
    if not retryable:
        _announce(session, row, incident_id, 1, error)


def _announce(session, row: hooks.Written, incident_id: int, attempts: int, error: dict) -> None:
    """Journal ``incident.opened`` on the case: the incident now needs a person (admin_sistem)."""
    log.warning("incident opened", extra={"incident_id": incident_id, "instance_id": row.instance_id,
                                          "element_id": error.get("element_id")})
    append(session, row.instance_id, [Event("incident.opened", error.get("element_id"), actor="system",
                                            data={"incident": incident_id, "attempts": attempts,
                                                  "message": error.get("message"), "for_role": "admin_sistem"})],
           row.at, bump_version=False)


def append(session, instance_id: int, events: list[Event], at: datetime, request_id: str | None = None, *,
           bump_version: bool = True) -> None:
    """Chain ``events`` onto the case's journal inside the caller's transaction.

    ``bump_version`` is False only inside a step that already moved the case's version (the listener).
    """
    head = session.execute(select(Instance.process_id, Instance.model_hash, Instance.journal_seq,
                                  Instance.journal_head, Instance.started_by, Instance.version)
                           .where(Instance.id == instance_id)).one()
    rows, seq, new_head = journal.rows_for(instance_id, head.model_hash, head.journal_seq, head.journal_head, at,
                                           request_id, events)
    values = {"journal_seq": seq, "journal_head": new_head}
    if bump_version:
        values.update(version=head.version + 1, updated_at=at)
    moved = session.execute(update(Instance).where(Instance.id == instance_id, Instance.version == head.version,
                                                   Instance.journal_seq == head.journal_seq).values(**values))
    if moved.rowcount != 1:
        raise Conflict("Kasus ini baru saja diubah; coba lagi. / This case was changed just now; try again.")
    journal.write(session, rows, process_id=head.process_id, started_by=head.started_by)


def _resolve_active(session, instance_id: int, actor: str, reason: str, at: datetime) -> None:
    for incident_id in session.scalars(select(Incident.id).where(Incident.instance_id == instance_id,
                                                                 Incident.status.in_(ACTIVE))):
        _resolve(session, incident_id, actor, reason, at)


def _resolve(session, incident_id: int, actor: str, reason: str, at: datetime) -> None:
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.status.in_(ACTIVE)).values(
        status=RESOLVED, resolved_at=at, resolved_by=actor, resolution=reason, next_retry_at=None, updated_at=at))


# --- the worker's automatic retries -----------------------------------------------------------------

def run_due(db: Database, config: dict, limit: int = 100) -> int:
    """Retry the failed handlers whose backoff has passed; how many were run."""
    now = clock.now()
    with db.reader() as session:
        ids = list(session.scalars(select(Incident.id).where(Incident.status == RETRYING,
                                                             Incident.next_retry_at <= now)
                                   .order_by(Incident.next_retry_at).limit(limit)))
    done = 0
    for incident_id in ids:
        try:
            done += retry_due(db, incident_id, config)
        except Conflict:
            log.info("retry deferred: the case changed meanwhile", extra={"incident_id": incident_id})
        except Exception:  # noqa: BLE001 - one broken case must not stop the others
            log.exception("automatic retry failed", extra={"incident_id": incident_id})
    return done


def retry_due(db: Database, incident_id: int, config: dict) -> bool:
    """Claim one due retry (SKIP LOCKED on PostgreSQL) and run the failed element again, in one transaction."""
    from . import instances

    now = clock.now()
    with db.unit_of_work() as session:
        query = select(Incident.id, Incident.instance_id, Incident.attempts).where(
            Incident.id == incident_id, Incident.status == RETRYING, Incident.next_retry_at <= now)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        incident = session.execute(query).first()
        if incident is None:
            return False
        instance = session.get(Instance, incident.instance_id)
        if instance.state != ERROR:
            _resolve(session, incident.id, "system", "kasus tidak lagi galat / the case is no longer in error", now)
            return True
        session.execute(update(Incident).where(Incident.id == incident.id).values(next_retry_at=None, updated_at=now))
        instances.retry_in(session, instance, SYSTEM, "system", config, None, now,
                           data={"incident": incident.id, "attempt": incident.attempts + 1})
    return True


# --- what people do with incidents ------------------------------------------------------------------

def list_incidents(db: Database, principal: Principal, *, status: str | None = "active", limit: int = 50,
                   after_id: int | None = None) -> tuple[list[IncidentView], dict[str, int]]:
    _may_read(principal)
    with db.reader() as session:
        query = select(Incident)
        if status == "active":
            query = query.where(Incident.status.in_(ACTIVE))
        elif status:
            query = query.where(Incident.status == status)
        if after_id:
            query = query.where(Incident.id < after_id)
        rows = session.scalars(query.order_by(Incident.id.desc()).limit(limit)).all()
        counts = dict(session.execute(select(Incident.status, func.count()).group_by(Incident.status)).all())
        return [_view(r) for r in rows], {s: int(counts.get(s, 0)) for s in (RETRYING, OPEN, RESOLVED)}


def get(db: Database, incident_id: int, principal: Principal) -> IncidentView:
    _may_read(principal)
    with db.reader() as session:
        return _view(_get(session, incident_id))


def retry(db: Database, incident_id: int, principal: Principal, config: dict, request_id: str | None = None,
          reason: str | None = None) -> IncidentView:
    """Run the failed element again now (after its cause was fixed); success resolves the incident."""
    from . import instances

    if not principal.has("admin_sistem", "kepala", "analis"):
        raise Forbidden("Hanya admin_sistem, kepala atau analis yang dapat mengulang. / "
                        "Only admin_sistem, kepala or analis may retry.")
    now = clock.now()
    with db.unit_of_work() as session:
        incident = _get(session, incident_id, lock=not db.is_sqlite)
        if incident.status == RESOLVED:
            raise Conflict("Insiden sudah diselesaikan. / The incident is already resolved.")
        instance = session.get(Instance, incident.instance_id)
        if instance.state != ERROR:
            _resolve(session, incident.id, principal.username,
                     "kasus tidak lagi galat / the case is no longer in error", now)
        else:
            role = next(r for r in ("admin_sistem", "kepala", "analis") if principal.has(r))
            instances.retry_in(session, instance, principal, role, config, request_id, now, reason=reason,
                               data={"incident": incident.id, "attempt": incident.attempts + 1})
        session.flush()
        return _view(_get(session, incident_id, fresh=True))


def resolve(db: Database, incident_id: int, principal: Principal, reason: str,
            request_id: str | None = None) -> IncidentView:
    """Close the incident by hand with a reason (e.g. fixed outside Alur, the case was handled on paper)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("a reason is required", {"reason": ["Alasan wajib diisi / A reason is required"]})
    if not principal.has("admin_sistem", "kepala"):
        raise Forbidden("Hanya admin_sistem atau kepala yang dapat menutup insiden. / "
                        "Only admin_sistem or kepala may resolve an incident.")
    now = clock.now()
    with db.unit_of_work() as session:
        incident = _get(session, incident_id, lock=not db.is_sqlite)
        if incident.status == RESOLVED:
            raise Conflict("Insiden sudah diselesaikan. / The incident is already resolved.")
        role = "admin_sistem" if principal.has("admin_sistem") else "kepala"
        _resolve(session, incident.id, principal.username, reason, now)
        append(session, incident.instance_id, [Event("incident.resolved", incident.element_id, actor=principal.username,
                                                     role=role, reason=reason, data={"incident": incident.id})],
               now, request_id)
        return _view(_get(session, incident_id, fresh=True))


def _may_read(principal: Principal) -> None:
    if not principal.has(*READERS):
        raise Forbidden("Insiden hanya untuk admin_sistem, kepala, analis dan auditor. / "
                        "Incidents are for admin_sistem, kepala, analis and auditor.")


def _get(session, incident_id: int, *, lock: bool = False, fresh: bool = False) -> Incident:
    query = select(Incident).where(Incident.id == incident_id)
    if lock:
        query = query.with_for_update()
    if fresh:
        query = query.execution_options(populate_existing=True)
    incident = session.scalars(query).first()
    if incident is None:
        raise NotFound(f"Insiden {incident_id} tidak ditemukan. / Incident {incident_id} not found.")
    return incident


def _view(r: Incident) -> IncidentView:
    return IncidentView(r.id, r.instance_id, r.process_id, r.element_id, r.status, r.retryable, r.attempts,
                        r.max_attempts, r.next_retry_at, r.error, r.created_at, r.updated_at, r.opened_at,
                        r.resolved_at, r.resolved_by, r.resolution)
