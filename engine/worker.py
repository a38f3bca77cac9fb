"""The background worker: scheduled starts, due timers, service-task retries, then whatever else is due.

Each kind of due work is a function ``(db, config) -> int`` in ``JOBS`` (how much it did); later issues
append theirs (webhook and e-mail deliveries). Every item is claimed and done in one transaction of its
own, so a worker killed at any moment leaves each item either done or untouched, and the next pass (of
this or another worker) picks the untouched ones up.

PostgreSQL: run as many workers as you like, on as many machines; due rows are claimed with
``FOR UPDATE SKIP LOCKED``. SQLite: one worker runs at a time, enforced by the lease in
``engine/lease.py``; a second one stands by and takes over when the first stops.

Long work (``engine/services/jobs.py``) runs on a thread of its own, so a long verification or backup
never delays a timer.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from . import lease
from .db import Database
from .services import audit, incidents, jobs, schedules, timers

# The outbox (webhooks and e-mail, issues 7 and 10). Imported here, not when the job first runs, because
# importing it registers the journal listener that writes outbox rows, which a timer firing already needs.
from notifications import digest, overdue  # noqa: E402  (after the engine's own imports)
from webhooks import delivery  # noqa: E402

log = logging.getLogger(__name__)

# Further kinds of due work register here: each takes (db, config) and returns how much it did.
JOBS: list[Callable[[Database, dict], int]] = [schedules.run_due, timers.run_due, incidents.run_due]
JOBS.extend([delivery.run_due, digest.run_due, overdue.run_due])
JOBS.append(audit.checkpoint_if_due)  # signed journal checkpoints (issue 5)


def run_once(db: Database, config: dict, *, long_work: bool = True) -> int:
    """One pass over every kind of due work; on SQLite only while this process holds the worker lease."""
    if db.is_sqlite and not lease.acquire(db, ttl=_lease_seconds(config)):
        log.info("another worker holds the SQLite lease; standing by", extra={"holder": lease.current(db)})
        return 0
    done = _pass(db, config)
    if long_work:
        done += _long_work(db, config)
    return done


def _pass(db: Database, config: dict) -> int:
    done = 0
    for job in JOBS:
        try:
            done += job(db, config)
        except Exception:  # noqa: BLE001 - keep the loop alive; the job logs its own failures
            log.exception("worker job failed", extra={"job": getattr(job, "__name__", str(job))})
    return done


def run_forever(db: Database, config: dict, stop: threading.Event | None = None,
                idle_exit: float | None = None) -> None:
    """Poll until stopped (SIGTERM, SIGINT, ``stop``), or after ``idle_exit`` seconds without work."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    poll = float(config.get("WORKER_POLL_SECONDS", 1.0))
    holding = threading.Event()  # on SQLite: set while this process holds the lease
    if not db.is_sqlite:
        holding.set()
    runner = threading.Thread(target=_long_work_loop, args=(db, config, stop, holding, poll),
                              name="alur-long-work", daemon=True)
    runner.start()
    log.info("worker started", extra={"holder": lease.holder(), "database": db.url.get_backend_name()})
    last_work = time.monotonic()
    renewed, standing_by, total = 0.0, False, 0
    ttl = _lease_seconds(config)
    try:
        while not stop.is_set():
            if db.is_sqlite and time.monotonic() - renewed > ttl / 3:
                if not lease.acquire(db, ttl=ttl):
                    holding.clear()
                    if not standing_by:
                        log.warning("another worker holds the SQLite lease; standing by",
                                    extra={"holder": lease.current(db)})
                        standing_by = True
                    stop.wait(poll)
                    continue
                renewed, standing_by = time.monotonic(), False
                holding.set()
            done = _pass(db, config)
            total += done
            if done:
                last_work = time.monotonic()
            elif idle_exit is not None and time.monotonic() - last_work >= idle_exit and not _busy(runner):
                break
            else:
                stop.wait(poll)
    finally:
        stop.set()
        runner.join(timeout=30)
        if db.is_sqlite:
            lease.release(db)
        log.info("worker stopped", extra={"done": total})


_running_long = threading.Event()


def _busy(runner: threading.Thread) -> bool:
    return runner.is_alive() and _running_long.is_set()


def _long_work(db: Database, config: dict) -> int:
    try:
        return jobs.run_queued(db, config)
    except Exception:  # noqa: BLE001 - a broken job must not end the worker
        log.exception("long work failed")
        return 0


def _long_work_loop(db: Database, config: dict, stop: threading.Event, holding: threading.Event,
                    poll: float) -> None:
    while not stop.is_set():
        if not holding.is_set():
            stop.wait(poll)
            continue
        _running_long.set()
        try:
            ran = _long_work(db, config)
        finally:
            _running_long.clear()
        if not ran:
            stop.wait(poll)


def _lease_seconds(config: dict) -> float:
    return float(config.get("WORKER_LEASE_SECONDS", 30))
