"""Long work shows its progress to the person who started it, and survives the death of its worker."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import update

from conftest import BPMN
from engine import clock, worker
from engine.models import Instance
from engine.services import jobs

GATE = {"go": threading.Event(), "at": threading.Event()}


@jobs.kind("uji.bertahap", roles=("admin_sistem",), title="Uji pekerjaan bertahap / Staged test job")
def _staged(progress, steps: int = 3):
    """Test kind: reports one step, then waits for the test to look before finishing."""
    progress.update(1, steps, "langkah 1")
    GATE["at"].set()
    assert GATE["go"].wait(30)
    progress.update(steps, steps, "selesai")
    return {"steps": steps}


@jobs.kind("uji.gagal", roles=("admin_sistem",), title="Uji pekerjaan gagal / Failing test job")
def _fails(progress):
    progress.update(0, 10)
    raise RuntimeError("disk cadangan penuh")


def _job(api, job_id, as_="admin_sistem", expect=200):
    return api.call("GET", f"/api/v1/jobs/{job_id}", as_=as_, expect=expect).get_json()


def test_journal_verification_runs_in_the_worker_and_reports_a_broken_chain(api, db, app):
    api.deploy(BPMN / "two_lanes.bpmn")
    cases = [api.start("uji_dua_lajur") for _ in range(5)]
    with db.unit_of_work() as session:  # someone edits a case's recorded head behind the journal's back
        session.execute(update(Instance).where(Instance.id == cases[2]["id"]).values(journal_head="f" * 64))
    api.call("POST", "/api/v1/jobs", as_="auditor", expect=403, json={"kind": "journal.verify"})  # reads only
    job = api.call("POST", "/api/v1/jobs", as_="admin_sistem", expect=202,
                   json={"kind": "journal.verify", "params": {"batch": 2}}).get_json()
    assert (job["state"], job["started_by"], job["done"]) == ("queued", "admin_sistem", 0)
    _job(api, job["id"], as_="penyedia", expect=404)  # not theirs
    assert worker.run_once(db, app.config) == 1
    done = _job(api, job["id"], as_="admin_sistem")
    assert (done["state"], done["done"], done["total"], done["percent"]) == ("succeeded", 5, 5, 100.0)
    assert done["result"]["checked"] == 5 and done["result"]["verified"] is False
    assert [b["instance_id"] for b in done["result"]["broken"]] == [cases[2]["id"]]
    assert _job(api, job["id"], as_="kepala")["state"] == "succeeded"  # supervisors see every job
    assert [j["id"] for j in api.call("GET", "/api/v1/jobs", as_="admin_sistem", expect=200).get_json()["items"]] == [
        job["id"]]
    assert api.call("GET", "/api/v1/jobs", as_="verifikator", expect=200).get_json()["items"] == []


def test_progress_is_visible_while_the_job_runs(api, db, app):
    GATE["go"].clear()
    GATE["at"].clear()
    job = api.call("POST", "/api/v1/jobs", as_="admin_sistem", expect=202,
                   json={"kind": "uji.bertahap", "params": {"steps": 3}}).get_json()
    runner = threading.Thread(target=jobs.run_next, args=(db, app.config))
    runner.start()
    try:
        assert GATE["at"].wait(30)
        midway = _job(api, job["id"])
        assert (midway["state"], midway["done"], midway["total"], midway["message"]) == ("running", 1, 3, "langkah 1")
        assert midway["percent"] == 33.3
    finally:
        GATE["go"].set()
        runner.join(30)
    finished = _job(api, job["id"])
    assert (finished["state"], finished["done"], finished["result"]) == ("succeeded", 3, {"steps": 3})


def test_a_failing_job_says_why(api, db, app):
    job = api.call("POST", "/api/v1/jobs", as_="admin_sistem", expect=202, json={"kind": "uji.gagal"}).get_json()
    assert worker.run_once(db, app.config) == 1
    failed = _job(api, job["id"])
    assert failed["state"] == "failed" and "disk cadangan penuh" in failed["error"]
    assert failed["finished_at"] is not None


def test_a_job_whose_worker_died_is_run_again_then_given_up(api, db, app):
    job = api.call("POST", "/api/v1/jobs", as_="kepala", expect=202, json={"kind": "journal.verify"}).get_json()
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        assert jobs._claim(db, app.config)[0] == job["id"]  # a worker takes it … and dies (no progress, no finish)
        assert (_job(api, job["id"], as_="kepala")["state"], _job(api, job["id"], as_="kepala")["attempts"]) == (
            "running", attempt)
        assert jobs._claim(db, app.config) is None  # its lease still holds: nobody else takes it
        clock.advance(timedelta(seconds=float(app.config["JOB_LEASE_SECONDS"]) + 1))
    assert worker.run_once(db, app.config) == 0
    given_up = _job(api, job["id"], as_="kepala")
    assert given_up["state"] == "failed" and "3" in given_up["error"]


def test_a_job_whose_worker_died_once_is_finished_by_another(api, db, app):
    job = api.call("POST", "/api/v1/jobs", as_="kepala", expect=202, json={"kind": "journal.verify"}).get_json()
    jobs._claim(db, app.config)
    clock.advance(timedelta(seconds=float(app.config["JOB_LEASE_SECONDS"]) + 1))
    assert worker.run_once(db, app.config) == 1
    finished = _job(api, job["id"], as_="kepala")
    assert (finished["state"], finished["attempts"], finished["result"]["verified"]) == ("succeeded", 2, True)


def test_unknown_kinds_and_wrong_roles_are_refused(api):
    r = api.call("POST", "/api/v1/jobs", as_="admin_sistem", expect=422, json={"kind": "tidak.ada"})
    assert "journal.verify" in str(r.get_json()["errors"])
    api.call("POST", "/api/v1/jobs", as_="penyedia", expect=403, json={"kind": "journal.verify"})
    api.call("POST", "/api/v1/jobs", as_="admin_sistem", expect=422, json={"params": {}})
