"""Replay: what re-running a case from its journal costs, against SpiffWorkflow alone doing the same steps.

    .venv/bin/python -m benchmarks.audit_replay [--database-url postgresql+psycopg://...] [--rounds 20]

One case of the multi-instance diagram with 49 items: started, then each item's task completed, which
journals 100 events (started, 49 tasks opened, 49 completed, case completed). Timed, median of the rounds:

- ``replay``: ``engine.services.replay.check`` — read the journal, rebuild nothing (the compiled spec is
  cached), re-run the 50 recorded inputs in memory, compare each of the 100 events, and compare the end
  with the stored case;
- ``replayer only``: the in-memory part alone (``engine.replay.Replayer.run`` on the journal already read);
- ``raw SpiffWorkflow``: a BpmnWorkflow of the same diagram, in this process, started and its 49 tasks
  completed with the same data, no database and no comparison.

The ratio says what the audit costs on top of the engine itself.
"""
from __future__ import annotations

import argparse
import statistics
import time

from . import common

ITEMS = 49
DIAGRAM = common.HERE / "multi_instance.bpmn"


def raw_spiff(data: dict, completions: int) -> None:
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    if not hasattr(raw_spiff, "spec"):
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(DIAGRAM))
        raw_spiff.spec = parser.get_spec("bench_banyak"), parser.get_subprocess_specs("bench_banyak")
    spec, subprocesses = raw_spiff.spec
    workflow = BpmnWorkflow(spec, subprocesses)
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    for _ in range(completions):
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update({"satu_hasil": "sesuai"})
        task.run()
        workflow.do_engine_steps()
    assert workflow.completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = common.fresh_database(args.database_url)
    common.seed(url)

    from engine.db import Database
    from engine.principal import Principal
    from engine.replay import Replayer
    from engine.services import definitions, instances, replay, tasks
    from web.config import load

    config = load({"DATABASE_URL": url})
    db = Database(url)
    definitions.deploy(db, [(DIAGRAM.name, DIAGRAM.read_bytes())], Principal("bench", frozenset({"analis"})), config)
    verifier = Principal("bench_verifikator", frozenset({"verifikator"}))
    data = {"dokumen": [f"dok-{i}" for i in range(ITEMS)]}
    case = instances.start(db, "bench_banyak", data, verifier, config)
    for task in case.tasks:
        last = tasks.complete(db, task.id, {"satu_hasil": "sesuai"}, verifier, config)
    assert last.state == "completed"

    first = replay.check(db, case.id, config)
    assert first.divergence is None, first.divergence.problem
    with db.reader() as session:
        events = replay.recorded(session, case.id)
        row = session.get(replay.Instance, case.id)
        bundle = definitions.bundle(session, row.process_version_id, row.process_id, row.model_hash)

    def timed(fn) -> float:
        costs = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            fn()
            costs.append(time.perf_counter() - began)
        return statistics.median(costs)

    full = timed(lambda: replay.check(db, case.id, config))
    alone = timed(lambda: Replayer(bundle, 1, config, case.id).run(events))
    raw_spiff(data, ITEMS)  # parse once, outside the timing
    raw = timed(lambda: raw_spiff(data, ITEMS))
    db.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"database                      {backend}")
    print(f"case                          {first.events} journal events, {ITEMS + 1} recorded inputs")
    print(f"replay (read, re-run, compare){full * 1000:8.1f} ms  (median of {args.rounds})")
    print(f"replayer only (in memory)     {alone * 1000:8.1f} ms")
    print(f"raw SpiffWorkflow, same steps {raw * 1000:8.1f} ms")
    print(f"ratio replay / raw            {full / raw:8.1f}x")
    print(f"ratio replayer only / raw     {alone / raw:8.1f}x")


if __name__ == "__main__":
    main()
