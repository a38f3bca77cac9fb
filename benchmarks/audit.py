"""Audit: how fast `alur audit verify` walks the journal, against raw SHA-256 over the same bytes.

    .venv/bin/python -m benchmarks.audit [--events 1000000] [--per-case 100] [--database-url postgresql+psycopg://...]

A synthetic but validly chained journal (made by the journal's own ``rows_for``, so every hash is real)
is bulk-inserted with Core ``executemany`` into a temporary SQLite file (or the PostgreSQL database given by
``--database-url`` or ``ALUR_BENCH_DATABASE_URL``, which is wiped). Then, in this process:

- baseline: ``hashlib.sha256`` over each event's canonical JSON, built beforehand (no database, no JSON);
- verify: ``engine.chain.walk`` over the whole journal, which reads every row from the database, rebuilds
  its canonical JSON, hashes it and checks the links, the case rows and a signed checkpoint.

Printed side by side, in events per second, with verify / baseline as the ratio: by the wall clock, and per
CPU second of this process (steadier on a shared machine; on PostgreSQL it leaves out the server's work).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import time
from datetime import datetime, timedelta, timezone

from . import common

BATCH = 20_000


def _seed_journal(url: str, events: int, per_case: int) -> tuple[int, float]:
    """Cases of ``per_case`` events each, ``events`` in all; returns the number of cases and the seconds spent."""
    from sqlalchemy import insert

    from engine import journal
    from engine.db import Database
    from engine.journal import GENESIS, Event
    from engine.models import BpmnModel, Instance, ProcessVersion

    began = time.perf_counter()
    db = Database(url)
    epoch = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with db.unit_of_work() as session:
        conn = session.connection()
        model = conn.execute(insert(BpmnModel).values(sha256="b" * 64, filename="bench.bpmn", xml=b"<x/>",
                                                      process_ids=["bench"], deployed_by="bench",
                                                      deployed_at=epoch).returning(BpmnModel.id)).scalar_one()
        version = conn.execute(insert(ProcessVersion).values(
            process_id="bench", version=1, name="bench", model_id=model, model_hash="b" * 64, starter_roles=[],
            dependencies=[], deployed_by="bench", deployed_at=epoch).returning(ProcessVersion.id)).scalar_one()
    written, case = 0, 0
    while written < events:
        instance_rows, journal_rows = [], []
        while written < events and len(journal_rows) < BATCH:
            case += 1
            count = min(per_case, events - written)
            at = epoch + timedelta(minutes=case)
            evs = [Event("task.completed", f"tugas_{i % 7}", f"Tugas {i % 7}", f"user{case % 50}", "verifikator",
                         "12(2)c", None, {"task_id": f"{case}-{i}", "input": {"catatan": "sesuai", "nilai": i},
                                          "before": {"nilai": i - 1}, "after": {"nilai": i}}) for i in range(count)]
            rows, seq, head = journal.rows_for(case, "b" * 64, 0, GENESIS, at, f"req-{case}", evs)
            journal_rows.extend(rows)
            instance_rows.append({"id": case, "process_id": "bench", "process_version_id": version,
                                  "model_hash": "b" * 64, "state": "completed", "version": count, "workflow": "{}",
                                  "serializer_version": "bench", "started_by": "bench", "started_at": at,
                                  "updated_at": at, "journal_seq": seq, "journal_head": head})
            written += count
        with db.unit_of_work() as session:
            session.connection().execute(insert(Instance.__table__), instance_rows)
            session.connection().execute(journal.JOURNAL_INSERT, journal_rows)
    if not db.is_sqlite:  # PostgreSQL: the planner needs statistics of the freshly loaded tables
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE journal")
            conn.exec_driver_sql("ANALYZE instances")
    db.dispose()
    return case, time.perf_counter() - began


def _baseline(url: str) -> tuple[float, int]:
    """SHA-256 over every event's canonical JSON; the JSON is built per batch, outside the timed part."""
    from sqlalchemy import select

    from engine.db import Database
    from engine.journal import canonical
    from engine.models import JournalEvent

    fields = ("instance_id", "seq", "type", "element_id", "element_name", "actor", "role", "model_hash", "pasal",
              "reason", "request_id", "data", "prev_hash")
    db = Database(url)
    timed, cpu, count = 0.0, 0.0, 0
    with db.reader() as session:
        query = select(*[getattr(JournalEvent, f) for f in fields], JournalEvent.at).order_by(
            JournalEvent.instance_id, JournalEvent.seq).execution_options(yield_per=BATCH)
        for part in session.execute(query).mappings().partitions():
            bodies = []
            for row in part:
                body = {f: row[f] for f in fields}
                body["at"] = row["at"].isoformat(timespec="microseconds")
                bodies.append(canonical(body).encode())
            began, began_cpu = time.perf_counter(), time.process_time()
            for body in bodies:
                hashlib.sha256(body).hexdigest()
            timed += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
            count += len(bodies)
    db.dispose()
    return count / timed, count / max(cpu, 1e-9), count


def _verify(url: str, config: dict) -> tuple[float, float, dict]:
    from engine.db import Database
    from engine.principal import Principal
    from engine.services import audit

    db = Database(url)
    began, began_cpu = time.perf_counter(), time.process_time()
    result = audit.verify(db, Principal("bench", frozenset({"auditor"})), config)
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    db.dispose()
    assert result["verified"], result["first_break"]
    return result["events"] / seconds, result["events"] / max(cpu, 1e-9), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("ALUR_BENCH_DATABASE_URL"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-case", type=int, default=100)
    args = parser.parse_args()
    url = common.fresh_database(args.database_url)

    import tempfile

    from engine.db import Database
    from engine.services import audit
    from web.config import load

    config = load({"DATABASE_URL": url, "VAR_DIR": tempfile.mkdtemp(prefix="alur-bench-key-")})
    cases, seeding = _seed_journal(url, args.events, args.per_case)
    db = Database(url)
    began = time.perf_counter()
    checkpoint = audit.create_checkpoint(db, config, "bench")
    signing = time.perf_counter() - began
    db.dispose()
    base_rate, base_cpu, hashed = _baseline(url)
    rate, rate_cpu, result = _verify(url, config)
    assert hashed == result["events"] == args.events == checkpoint["events"]
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"database                          {backend}")
    print(f"journal                           {args.events:,} events in {cases:,} cases "
          f"(bulk-inserted in {seeding:.1f} s)")
    print(f"signed checkpoint (walk + sign)   {signing:8.1f} s")
    print("                                  wall clock           per CPU second of this process")
    print(f"baseline: raw SHA-256 over JSON   {base_rate:12,.0f} events/s  {base_cpu:12,.0f} events/s")
    print(f"alur audit verify                 {rate:12,.0f} events/s  {rate_cpu:12,.0f} events/s  "
          f"({args.events / rate:.1f} s in all)")
    print(f"ratio verify / baseline           {rate / base_rate:12.3f}           {rate_cpu / base_cpu:12.3f}")


if __name__ == "__main__":
    main()
