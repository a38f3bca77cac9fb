"""Long work that shows its progress to the person who started it: journal verification, backups, reports.

Someone asks for a job (``POST /api/v1/jobs {"kind", "params"}``); a worker runs it on a thread of its
own, so timers keep firing meanwhile. The job's function reports progress (done, total, message) through
``Progress.update``, each in a short transaction of its own, so ``GET /api/v1/jobs/{id}`` moves while the
work goes on. Every update renews the job's lease: when a worker dies mid-job (kill -9) the lease runs
out and another worker runs the job again from the start, so a job function must be safe to run twice
(``MAX_ATTEMPTS`` times at most). Other modules add kinds with ``@kind("backup.database", roles=...)``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select, update

from .. import clock, lease
from ..db import Database
from ..errors import Forbidden, NotFound, ValidationFailed
from ..journal import verify_instance
from ..models import Instance, Job
from ..models.job import FAILED, QUEUED, RUNNING, SUCCEEDED
from ..principal import Principal

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
SUPERVISORS = ("admin_sistem", "kepala")  # see every job, besides the person who started it


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[..., dict | None]
    roles: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    title: str
    params: dict
    state: str
    started_by: str
    done: int
    total: int | None
    percent: float | None
    message: str | None
    result: dict | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


_kinds: dict[str, Kind] = {}


def kind(name: str, *, roles: tuple[str, ...], title: str) -> Callable:
    """Register ``fn(progress, **params) -> dict`` as the job kind ``name``, startable by ``roles``."""

    def register(fn):
        _kinds[name] = Kind(name, fn, tuple(roles), title)
        return fn

    return register


def kinds() -> list[Kind]:
    return [_kinds[k] for k in sorted(_kinds)]


class Progress:
    """What a running job gets: its parameters, the database, and a way to say how far it is."""

    def __init__(self, db: Database, job_id: int, config: dict, started_by: str):
        self.db, self.job_id, self.config, self.started_by = db, job_id, config, started_by
        self.lease_seconds = float(config.get("JOB_LEASE_SECONDS", 120))

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        now = clock.now()
        values = {"done": done, "updated_at": now, "lease_until": now + timedelta(seconds=self.lease_seconds)}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message[:500]
        with self.db.unit_of_work() as session:
            session.execute(update(Job).where(Job.id == self.job_id, Job.state == RUNNING,
                                              Job.worker == lease.holder()).values(**values))


def submit(db: Database, kind_name: str, params: dict, principal: Principal) -> JobView:
    spec = _kinds.get(kind_name)
    if spec is None:
        raise ValidationFailed(f"unknown job kind {kind_name}", {"kind": [
            f"Jenis tidak dikenal / Unknown kind; choose from: {', '.join(sorted(_kinds)) or 'none'}"]})
    if not principal.has(*spec.roles):
        raise Forbidden(f"\"{kind_name}\" hanya untuk / is only for: {', '.join(spec.roles)}.")
    if not isinstance(params, dict):
        raise ValidationFailed("params must be a JSON object", {"params": ["Must be a JSON object"]})
    now = clock.now()
    with db.unit_of_work() as session:
        job_id = session.execute(insert(Job).values(
            kind=kind_name, params=params, state=QUEUED, started_by=principal.username, done=0, total=None,
            message=None, result=None, error=None, attempts=0, worker=None, lease_until=None, created_at=now,
            updated_at=now, finished_at=None).returning(Job.id)).scalar_one()
        return _view(session.get(Job, job_id))


def get(db: Database, job_id: int, principal: Principal) -> JobView:
    with db.reader() as session:
        job = session.get(Job, job_id)
        if job is None or not (job.started_by == principal.username or principal.has(*SUPERVISORS)):
            raise NotFound(f"Pekerjaan {job_id} tidak ditemukan. / Job {job_id} not found.")
        return _view(job)


def list_jobs(db: Database, principal: Principal, limit: int = 50) -> list[JobView]:
    with db.reader() as session:
        query = select(Job)
        if not principal.has(*SUPERVISORS):
            query = query.where(Job.started_by == principal.username)
        return [_view(j) for j in session.scalars(query.order_by(Job.id.desc()).limit(limit))]


def run_queued(db: Database, config: dict, limit: int = 10) -> int:
    """Run queued jobs (and jobs whose worker died) one after the other; how many were run."""
    ran = 0
    while ran < limit and run_next(db, config):
        ran += 1
    return ran


def run_next(db: Database, config: dict) -> bool:
    claimed = _claim(db, config)
    if claimed is None:
        return False
    job_id, kind_name, params, started_by = claimed
    spec = _kinds.get(kind_name)
    progress = Progress(db, job_id, config, started_by)
    try:
        if spec is None:
            raise LookupError(f"no job kind \"{kind_name}\" is registered in this worker")
        result = spec.run(progress, **params)
    except Exception as exc:  # noqa: BLE001 - the job failed; say so to whoever started it
        log.exception("job failed", extra={"job_id": job_id, "kind": kind_name})
        _finish(db, job_id, FAILED, error=f"{type(exc).__name__}: {exc}")
        return True
    _finish(db, job_id, SUCCEEDED, result=result or {})
    return True


def _claim(db: Database, config: dict):
    now = clock.now()
    ttl = timedelta(seconds=float(config.get("JOB_LEASE_SECONDS", 120)))
    expired = (Job.state == RUNNING) & (Job.lease_until < now)
    with db.unit_of_work() as session:
        # A job whose workers kept dying under it is not tried for ever.
        session.execute(update(Job).where(expired, Job.attempts >= MAX_ATTEMPTS).values(
            state=FAILED, finished_at=now, updated_at=now, lease_until=None,
            error=f"the worker running it stopped {MAX_ATTEMPTS} times / pekerja berhenti {MAX_ATTEMPTS} kali"))
        query = select(Job).where(or_(Job.state == QUEUED, expired)).order_by(Job.id).limit(1)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        job = session.scalars(query).first()
        if job is None:
            return None
        session.execute(update(Job).where(Job.id == job.id).values(
            state=RUNNING, worker=lease.holder(), lease_until=now + ttl, attempts=job.attempts + 1, updated_at=now,
            done=0, message=None))
        return job.id, job.kind, dict(job.params or {}), job.started_by


def _finish(db: Database, job_id: int, state: str, result: dict | None = None, error: str | None = None) -> None:
    now = clock.now()
    with db.unit_of_work() as session:
        values = {"state": state, "finished_at": now, "updated_at": now, "lease_until": None, "result": result,
                  "error": error}
        if state == SUCCEEDED:
            total = session.scalar(select(Job.total).where(Job.id == job_id))
            if total is not None:
                values["done"] = total
        session.execute(update(Job).where(Job.id == job_id, Job.worker == lease.holder()).values(**values))


def _view(job: Job) -> JobView:
    spec = _kinds.get(job.kind)
    percent = round(100.0 * job.done / job.total, 1) if job.total else None
    return JobView(job.id, job.kind, spec.title if spec else job.kind, dict(job.params or {}), job.state,
                   job.started_by, job.done, job.total, percent, job.message, job.result, job.error, job.attempts,
                   job.created_at, job.updated_at, job.finished_at)


# --- kinds every Alur has ----------------------------------------------------------------------------

@kind("journal.verify", roles=("admin_sistem", "kepala"),
      title="Verifikasi rantai jurnal semua kasus / Verify the journal chain of every case")
def verify_journals(progress: Progress, batch: int = 200) -> dict:
    """Check every case's hash chain, reporting progress per batch; the result lists each broken link."""
    with progress.db.reader() as session:
        total = session.scalar(select(func.count()).select_from(Instance)) or 0
    progress.update(0, total, f"0/{total}")
    done, last_id, broken = 0, 0, []
    while True:
        with progress.db.reader() as session:
            heads = session.execute(select(Instance.id, Instance.journal_seq, Instance.journal_head)
                                    .where(Instance.id > last_id).order_by(Instance.id).limit(int(batch))).all()
            for instance_id, seq, head in heads:
                problem = verify_instance(session, instance_id, seq, head)
                if problem is not None:
                    broken.append({"instance_id": problem.instance_id, "seq": problem.seq, "problem": problem.problem})
        if not heads:
            break
        done += len(heads)
        last_id = heads[-1][0]
        progress.update(done, max(total, done), f"{done}/{max(total, done)}")
    return {"checked": done, "broken": broken, "verified": not broken}
