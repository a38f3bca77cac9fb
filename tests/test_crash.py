"""Kill -9 of the worker or the server at random moments, during steps and webhook deliveries, loses nothing
(the short run; tests/soak/crash_soak.py has the long one)."""
from __future__ import annotations

import os
import time

import crashharness
from conftest import BPMN, PASSWORD


def test_kill_9_of_the_worker_and_the_server_during_steps_and_deliveries_loses_nothing(api, db, database_url, tmp_path):
    api.deploy(BPMN / "crash.bpmn")
    seed = int(os.environ.get("ALUR_CRASH_SEED", time.time()))
    report = crashharness.run(db, database_url, tmp_path, PASSWORD, kills=20, seed=seed, cases=30)
    assert report.problems == [], f"seed {seed}: {report.problems}"
    assert sum(report.kills.values()) == 20 and report.kills["worker"] and report.kills["server"], report.kills
    assert report.cases >= 30 and report.scheduled > 0
    assert report.acknowledged >= 30 and report.events > 0 and report.deliveries >= report.events, report
