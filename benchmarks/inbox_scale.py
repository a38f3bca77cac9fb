"""The inbox at scale: 1,000,000 task rows (100,000 of them open) in PostgreSQL.

    .venv/bin/python -m benchmarks.inbox_scale postgresql+psycopg://postgres@127.0.0.1:5432/alur_bench [--reuse]

WIPES the given database (``--reuse``: measure the rows a previous run left). Prints the query plans of one inbox page and of the counts per process, then
p50/p95 of the inbox service call (first page, a deep page by cursor, a filtered page) beside p50/p95 of
a trivial query through the same session machinery (what /healthz does).
"""
from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy import text

from benchmarks.common import fresh_database

TASKS, OPEN, INSTANCES = 1_000_000, 100_000, 100_000
ROLES = ["verifikator", "layanan", "admin_sistem", "sekretariat", "kepala", "penyedia"]


def fill(db) -> None:
    with db.unit_of_work() as session:
        session.execute(text("""
            INSERT INTO bpmn_models (sha256, filename, xml, process_ids, deployed_by, deployed_at)
            VALUES (repeat('a', 64), 'bench.bpmn', '<x/>', '["bench"]', 'bench', now())"""))
        session.execute(text("""
            INSERT INTO process_versions (process_id, version, name, model_id, model_hash, starter_roles, dependencies,
                                          deployed_by, deployed_at)
            SELECT 'proses_' || p, 1, 'Proses ' || p, 1, repeat('a', 64), '[]', '{}', 'bench', now()
            FROM generate_series(0, 7) AS p"""))
        session.execute(text(f"""
            INSERT INTO instances (process_id, process_version_id, model_hash, state, version, workflow,
                                   serializer_version, started_by, started_at, updated_at, journal_seq, journal_head)
            SELECT 'proses_' || (i % 8), 1 + (i % 8), repeat('a', 64), 'running', 1, '{{}}', '1', 'penyedia_' || (i % 5000),
                   now() - (i || ' minutes')::interval, now(), 0, repeat('0', 64)
            FROM generate_series(1, {INSTANCES}) AS i"""))
        # Every tenth task open; open ones spread over the roles, a third with a due date, some claimed.
        session.execute(text(f"""
            INSERT INTO tasks (id, instance_id, process_id, element_id, name, role, form, state, assignee, created_at,
                               due_at, completed_at, completed_by, pasal)
            SELECT md5(t::text), 1 + (t % {INSTANCES}), 'proses_' || ((1 + (t % {INSTANCES})) % 8), 'langkah',
                   'Langkah', (ARRAY{ROLES!r})[1 + (t / 10) % {len(ROLES)}], NULL,
                   CASE WHEN t % 10 = 0 THEN 'ready' ELSE 'completed' END,
                   CASE WHEN t % 10 = 0 AND t % 70 = 0 THEN 'verifikator'
                        WHEN (ARRAY{ROLES!r})[1 + (t / 10) % {len(ROLES)}] = 'penyedia'
                             THEN 'penyedia_' || (t % 5000) END,
                   now() - (t || ' seconds')::interval,
                   CASE WHEN t % 3 = 0 THEN now() + ((t % 200 - 100) || ' hours')::interval END,
                   CASE WHEN t % 10 <> 0 THEN now() END, NULL, '12(2)c'
            FROM generate_series(1, {TASKS}) AS t"""))
    with db.engine.connect() as conn:
        # What autovacuum does on a live server: statistics, and the visibility map index-only scans need.
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def timed(fn, rounds: int = 300) -> tuple[float, float]:
    for _ in range(20):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main(url: str) -> None:
    from sqlalchemy.dialects import postgresql

    from engine.db import Database
    from engine.principal import Principal
    from engine.services import inbox

    db = Database(url)
    if "--reuse" not in sys.argv:
        fresh_database(url)
        started = time.perf_counter()
        fill(db)
        print(f"filled {TASKS:,} tasks ({OPEN:,} open) in {time.perf_counter() - started:.0f} s")
    verifier = Principal("verifikator", frozenset({"verifikator"}))
    head = Principal("kepala", frozenset({"kepala", "sekretariat"}))
    supplier = Principal("penyedia_7", frozenset({"penyedia"}))

    one = {"me": "verifikator", "role_0": "verifikator", "limit": 51}
    two = {"me": "kepala", "role_0": "kepala", "role_1": "sekretariat", "limit": 51}
    with db.engine.connect() as conn:
        for title, query, params in [
            ("inbox page, one role", inbox._page_statement(1, False, False, "", None), one),
            ("inbox page, two roles", inbox._page_statement(2, False, False, "", None), two),
            ("counts per process", inbox._count_statement(1, False, ""), one),
        ]:
            sql = str(query.compile(dialect=postgresql.dialect()))
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).scalars().all()
            print(f"\n--- {title}\n" + "\n".join(plan))

    first = inbox.inbox(db, verifier, limit=50)
    deep = first
    for _ in range(20):
        deep = inbox.inbox(db, verifier, limit=50, cursor=deep.next_cursor)

    def ping():
        with db.reader() as session:
            session.execute(text("SELECT 1"))

    print(f"\nopen tasks of verifikator: {sum(first.counts.values()):,}")
    rows = [("SELECT 1 (healthz)", ping),
            ("inbox, first page + counts", lambda: inbox.inbox(db, verifier, limit=50)),
            ("inbox, page 21 by cursor", lambda: inbox.inbox(db, verifier, limit=50, cursor=deep.next_cursor)),
            ("inbox, overdue only", lambda: inbox.inbox(db, verifier, inbox.Filters(due_before=time_now()), limit=50)),
            ("inbox, kepala + sekretariat", lambda: inbox.inbox(db, head, limit=50)),
            ("inbox, one supplier", lambda: inbox.inbox(db, supplier, limit=50))]
    print(f"\n{'call':34} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in rows:
        p50, p95 = timed(fn)
        print(f"{name:34} {p50:8.2f} {p95:8.2f}")
    db.dispose()


def time_now():
    from engine import clock

    return clock.now()


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgresql"):
        sys.exit(__doc__)
    main(sys.argv[1])
