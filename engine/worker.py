"""The background worker loop: due timers now; later issues add deliveries and schedules here."""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from .db import Database
from .services import timers

# The outbox (webhooks and e-mail, issues 7 and 10). Imported here, not when the job first runs, because
# importing it registers the journal listener that writes outbox rows, which a timer firing already needs.
from notifications import digest, overdue  # noqa: E402  (after the engine's own imports)
from webhooks import delivery  # noqa: E402

log = logging.getLogger(__name__)

# Further kinds of due work register here: each takes (db, config) and returns how much it did.
JOBS: list[Callable[[Database, dict], int]] = [timers.run_due]
JOBS.extend([delivery.run_due, digest.run_due, overdue.run_due])


def run_once(db: Database, config: dict) -> int:
    done = 0
    for job in JOBS:
        try:
            done += job(db, config)
        except Exception:  # noqa: BLE001 - keep the loop alive; the job logs its own failures
            log.exception("worker job failed", extra={"job": getattr(job, "__name__", str(job))})
    return done


def run_forever(db: Database, config: dict, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    poll = float(config.get("WORKER_POLL_SECONDS", 1.0))
    log.info("worker started")
    while not stop.is_set():
        if run_once(db, config) == 0:
            stop.wait(poll)
    log.info("worker stopped")
