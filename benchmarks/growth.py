"""Growth: does a step cost more as a case grows?

    .venv/bin/python -m benchmarks.growth [--database-url postgresql+psycopg://...] [--items 500]

One instance with a parallel multi-instance user task over N items (N task rows open at once, 2 journal
events per item): the cost of completing an item near the 10th journal event is compared with the cost
near the 1,000th (the last items). Also printed: the cost of a step of the small registration-like case,
for scale. Goal: late step / early step <= 1.5.
"""
from __future__ import annotations

import argparse
import statistics
import time

from . import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    url = common.fresh_database(args.database_url)
    common.seed(url)

    from engine.db import Database
    from engine.principal import Principal
    from engine.services import definitions, instances, tasks
    from web.config import load

    config = load({"DATABASE_URL": url})
    db = Database(url)
    diagram = common.HERE / "multi_instance.bpmn"
    definitions.deploy(db, [(diagram.name, diagram.read_bytes())], Principal("bench", frozenset({"analis"})), config)
    verifier = Principal("bench_verifikator", frozenset({"verifikator"}))

    started = time.perf_counter()
    case = instances.start(db, "bench_banyak", {"dokumen": [f"dok-{i}" for i in range(args.items)]}, verifier, config)
    start_cost = time.perf_counter() - started
    costs = []
    for task in case.tasks:
        began = time.perf_counter()
        last = tasks.complete(db, task.id, {"satu_hasil": "sesuai"}, verifier, config)
        costs.append(time.perf_counter() - began)
    assert last.state == "completed"
    early, late = statistics.median(costs[3:8]), statistics.median(costs[-6:-1])

    supplier = Principal("bench_penyedia", frozenset({"penyedia"}))
    small = []
    for _ in range(30):
        began = time.perf_counter()
        one = instances.start(db, common.PROCESS, {"nama": "CV"}, supplier, config)
        tasks.complete(db, one.tasks[0].id, {}, supplier, config)
        small.append((time.perf_counter() - began) / 2)
    db.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"database                      {backend}")
    print(f"multi-instance start          {start_cost * 1000:8.1f} ms  ({args.items} tasks opened in one step)")
    print(f"step near journal event ~10   {early * 1000:8.1f} ms  (median of items 4-8)")
    print(f"step near journal event ~{2 * args.items:<5d}{late * 1000:8.1f} ms  (median of the last items)")
    print(f"ratio late / early            {late / early:8.2f}   (goal <= 1.5)")
    print(f"small case step, for scale    {statistics.median(small) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
