"""The inbox at scale: 1,000,000 task rows (100,000 of them open) in PostgreSQL.

    .venv/bin/python -m benchmarks.inbox_scale postgresql+psycopg://postgres@127.0.0.1:5432/alur_bench [--reuse]

WIPES the given database (``--reuse``: measure the rows a previous run left). Prints the query plans of one
inbox page and of the counts per process; p50/p95 of the inbox service call (first page, a deep page by
cursor, a filtered page) beside a trivial query through the same session machinery; then the real thing:
p50/p95 of ``GET /api/v1/tasks`` for the verifikator beside ``GET /healthz``, over HTTP against
``alur serve`` (gunicorn, one process per core). Goal: inbox p95 <= 3 x healthz p95.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import statistics
import sys
import time

from sqlalchemy import text

from benchmarks import common
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
    over_http(url)


def over_http(url: str) -> None:
    """The inbox request and /healthz through gunicorn, one keep-alive connection, in the same run."""
    from engine.db import Database
    from engine.services import accounts

    db = Database(url)
    accounts.ensure_user(db, "verifikator", common.PASSWORD, ["verifikator"])
    db.dispose()
    workers = multiprocessing.cpu_count()
    for ttl in ("5", "0"):  # counts reused for 5 s (the default), then counted on every request
        with common.server(url, workers, env={"ALUR_INBOX_COUNTS_TTL": ttl}) as (base, _pid):
            _measure(base, workers, ttl)


def _measure(base: str, workers: int, ttl: str) -> None:
    """p50/p95 of healthz and of the verifikator's inbox, one keep-alive connection, in the same run."""
    token = common.token(base, "verifikator")
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(path: str, auth: bool):
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if auth else {})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body

    open_tasks = sum(json.loads(get("/api/v1/tasks?limit=50", True))["counts"].values())
    print(f"\nover HTTP: alur serve, {workers} gunicorn process(es), ALUR_INBOX_COUNTS_TTL={ttl}; "
          f"verifikator has {open_tasks:,} open tasks")
    print(f"{'request':34} {'p50 ms':>8} {'p95 ms':>8}")
    results = {}
    for name, path, auth in [("GET /healthz", "/healthz", False),
                             ("GET /api/v1/tasks (first page)", "/api/v1/tasks?limit=50", True),
                             ("GET /api/v1/tasks?overdue=true", "/api/v1/tasks?limit=50&overdue=true", True)]:
        results[name] = timed(lambda: get(path, auth), rounds=500)
        print(f"{name:34} {results[name][0]:8.2f} {results[name][1]:8.2f}")
    connection.close()
    ratio = results["GET /api/v1/tasks (first page)"][1] / results["GET /healthz"][1]
    print(f"inbox p95 / healthz p95           {ratio:8.2f}   (goal <= 3; counts cached {ttl} s)")


def time_now():
    from engine import clock

    return clock.now()


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgresql"):
        sys.exit(__doc__)
    main(sys.argv[1])
