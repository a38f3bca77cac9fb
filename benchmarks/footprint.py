"""Footprint: database rows written for one registration-like case, and bytes of stored state.

    .venv/bin/python -m benchmarks.footprint [--database-url postgresql+psycopg://...]

Counts, for one whole case driven through the services (start, complete, complete): net rows inserted
(by table), row writes (inserts + updates), and the bytes of the instance's stored workflow state and
journal. Quoted for comparison: spiff-arena writes 29 rows (about 80 row writes) for such a case;
Camunda 7 keeps about 1,900 history rows per instance.
"""
from __future__ import annotations

import argparse
import collections
import re

from sqlalchemy import event, func, select

from . import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = common.fresh_database(args.database_url)
    common.seed(url)

    from engine.db import Database
    from engine.models import Instance, JournalEvent
    from engine.principal import Principal
    from engine.services import instances, tasks
    from web.config import load

    config = load({"DATABASE_URL": url})
    db = Database(url)
    supplier = Principal("bench_penyedia", frozenset({"penyedia"}))
    verifier = Principal("bench_verifikator", frozenset({"verifikator"}))
    inserted: collections.Counter = collections.Counter()
    updated: collections.Counter = collections.Counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        words = statement.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb == "INSERT":
            table = re.search(r"INTO\s+\"?(\w+)", statement, re.I).group(1)
            inserted[table] += len(parameters) if executemany else 1
        elif verb == "UPDATE":
            table = words[1].strip('"')
            updated[table] += max(cursor.rowcount, 0)

    case = instances.start(db, common.PROCESS, {"nama": "CV Maju Jaya"}, supplier, config)
    case = tasks.complete(db, case.tasks[0].id, {"alamat": "Jl. Merdeka 1, Blitar"}, supplier, config)
    case = tasks.complete(db, case.tasks[0].id, {"approved": True}, verifier, config)
    assert case.state == "completed"
    with db.reader() as session:
        state_bytes = session.scalar(select(func.length(Instance.workflow)).where(Instance.id == case.id))
        journal_bytes = session.scalar(select(func.sum(func.length(JournalEvent.data))).where(
            JournalEvent.instance_id == case.id))
    db.dispose()
    rows = sum(inserted.values())
    writes = rows + sum(updated.values())
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"database                 {backend}")
    print(f"rows inserted per case   {rows:5d}   " + ", ".join(f"{t} {n}" for t, n in sorted(inserted.items())))
    print(f"row writes per case      {writes:5d}   (inserts + row updates: " +
          ", ".join(f"{t} {n}" for t, n in sorted(updated.items())) + ")")
    print("goal                     <= 15 rows; spiff-arena 29 rows (~80 row writes); Camunda ~1,900 history rows")
    print(f"stored state per case    {state_bytes:5d} bytes of workflow JSON (spec kept once per version)")
    print(f"journal data per case    {journal_bytes:5d} bytes")


if __name__ == "__main__":
    main()
