"""How fast worker processes fire due timers, and how the work spreads over them.

    .venv/bin/python benchmarks/worker_throughput.py --url postgresql+psycopg://postgres@127.0.0.1:5432/alur_bench \
        --timers 1000 --workers 1 2 4 --reset

``--reset`` drops and recreates the schema of that database: point it at a scratch database only. Each
round starts N cases whose one-hour timer is already due (started with the clock two hours back), then
runs the worker processes until they are idle, and reports timers per second (first to last
``timer.fired`` in the journal) and each worker's share.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from engine import clock, migrate, registry  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.models import JournalEvent, ProcessVersion  # noqa: E402
from engine.principal import Principal  # noqa: E402
from engine.services import definitions, instances  # noqa: E402
from web.config import load  # noqa: E402
from workerproc import done_count, output, start_worker  # noqa: E402

ADMIN = Principal("admin_sistem", frozenset({"admin_sistem"}))


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)


def round_(url: str, timers: int, workers: int) -> dict:
    reset(url)
    db = Database(url)
    config = load({"DATABASE_URL": url})
    definitions.deploy(db, [("timer_intermediate.bpmn", (ROOT / "tests/bpmn/timer_intermediate.bpmn").read_bytes())],
                       Principal("system", frozenset({"system", "analis"})), config)
    clock.freeze(clock.now() - timedelta(hours=2))
    began = time.perf_counter()
    with db.unit_of_work() as session:
        version = session.scalars(select(ProcessVersion)).one()
        for _ in range(timers):
            instances.start_version(session, version, {}, ADMIN, config, None, clock.now())
    created = time.perf_counter() - began
    clock.reset()
    with tempfile.TemporaryDirectory() as var:
        procs = [start_worker(url, Path(var), "--idle-exit", "2") for _ in range(workers)]
        shares = [done_count(output(p)) for p in procs]
    with db.reader() as session:
        first, last = session.execute(select(func.min(JournalEvent.at), func.max(JournalEvent.at))
                                      .where(JournalEvent.type == "timer.fired")).one()
        per_case = Counter(session.scalars(select(JournalEvent.instance_id).where(JournalEvent.type == "timer.fired")))
    db.dispose()
    seconds = (last - first).total_seconds() or 1e-9
    return {"timers": timers, "workers": workers, "create_s": round(created, 1), "fire_s": round(seconds, 1),
            "timers_per_s": round(timers / seconds, 1), "shares": shares,
            "each_fired_once": len(per_case) == timers and set(per_case.values()) == {1}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--timers", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--reset", action="store_true", help="required: the schema of --url is dropped")
    args = parser.parse_args()
    if not args.reset:
        parser.error("--reset is required (the benchmark drops the schema of --url)")
    registry.load_modules("workflows.handlers")
    for count in args.workers:
        print(round_(args.url, args.timers, count), flush=True)


if __name__ == "__main__":
    main()
