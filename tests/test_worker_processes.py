"""Real worker processes: several share due work on PostgreSQL, one runs on SQLite."""
from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import BPMN
from engine import clock, lease, worker
from engine.models import Instance, JournalEvent, ProcessVersion, Task
from engine.principal import Principal
from engine.services import instances, timers
from workerproc import done_count, kill, output, start_worker

ADMIN = Principal("admin_sistem", frozenset({"admin_sistem"}))


def _start_many(db, config, process_id: str, count: int, batch: int = 100) -> None:
    """``count`` real cases, started through the engine, ``batch`` to a transaction."""
    made = 0
    while made < count:
        with db.unit_of_work() as session:
            version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)).one()
            for _ in range(min(batch, count - made)):
                instances.start_version(session, version, {}, ADMIN, config, None, clock.now())
                made += 1


def test_two_worker_processes_share_1000_due_timers_with_none_lost_or_doubled(api, db, app, database_url, tmp_path):
    if db.is_sqlite:
        pytest.skip("SKIP LOCKED sharing is PostgreSQL's; SQLite runs one worker (see the lease test)")
    api.deploy(BPMN / "timer_intermediate.bpmn")
    clock.freeze(clock.now() - timedelta(hours=2))  # started two hours ago: every one-hour timer is due now
    _start_many(db, app.config, "uji_timer_antara", 1000)
    clock.reset()
    with db.reader() as session:
        due = session.scalar(select(func.count()).where(Instance.next_timer_at <= clock.now()))
    assert due == 1000

    workers = [start_worker(database_url, tmp_path, "--idle-exit", "3") for _ in range(2)]
    logs = [output(w) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [log[-2000:] for log in logs]
    counts = [done_count(log) for log in logs]

    with db.reader() as session:
        fired = Counter(session.scalars(select(JournalEvent.instance_id).where(JournalEvent.type == "timer.fired")))
        ready = session.scalar(select(func.count()).select_from(Task).where(Task.element_id == "periksa",
                                                                            Task.state == "ready"))
        waiting = session.scalar(select(func.count()).where(Instance.next_timer_at.is_not(None)))
    assert len(fired) == 1000 and set(fired.values()) == {1}  # every timer fired, none twice
    assert ready == 1000 and waiting == 0
    assert sum(counts) == 1000 and min(counts) > 0, counts  # both workers took a share


def test_on_sqlite_one_worker_runs_and_a_standby_takes_over_when_it_is_killed(api, db, app, database_url, tmp_path):
    if not db.is_sqlite:
        pytest.skip("the single-worker lease is SQLite's")
    api.deploy(BPMN / "timer_intermediate.bpmn")
    first = start_worker(database_url, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while (lease.current(db) or "").split(":")[1:2] != [str(first.pid)]:
            assert time.monotonic() < deadline and first.poll() is None, "the worker did not take the lease"
            time.sleep(0.05)
        assert not lease.acquire(db)  # this process stands by
        assert worker.run_once(db, app.config) == 0

        clock.freeze(clock.now() - timedelta(hours=2))
        case = instances.start(db, "uji_timer_antara", {}, ADMIN, app.config)
        clock.reset()
        deadline = time.monotonic() + 60
        while api.call("GET", f"/api/v1/process-instances/{case.id}", as_="admin_sistem").get_json()["tasks"] == []:
            assert time.monotonic() < deadline, "the running worker did not fire the due timer"
            time.sleep(0.05)
    finally:
        kill(first)
    # The holder died without giving the lease back: a worker on the same machine takes over at once.
    assert lease.acquire(db)
    assert lease.current(db) == lease.holder()
    with db.reader() as session:
        rows = session.scalars(select(JournalEvent.data).where(JournalEvent.instance_id == case.id,
                                                               JournalEvent.type == "timer.fired")).all()
    assert [json.loads(r)["elements"] for r in rows] == [["tunggu"]]
    assert timers.run_due(db, app.config) == 0
