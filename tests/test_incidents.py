"""A failing handler is retried by the worker with backoff; then an incident waits for admin_sistem."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from conftest import BPMN
from engine import clock, registry, worker

SERVICE = {"up": False, "calls": 0}


@registry.handler("uji.layanan_luar")
def _outside_service(ctx, isi):
    """Test handler: an outside service that is down until the test brings it up."""
    SERVICE["calls"] += 1
    if not SERVICE["up"]:
        raise TimeoutError("LKPP tidak menjawab dalam 10 detik")
    return {"diterima": isi}


@pytest.fixture(autouse=True)
def _service_down():
    SERVICE.update(up=False, calls=0)
    yield


def _events(api, case_id):
    return api.call("GET", f"/api/v1/process-instances/{case_id}/events", as_="auditor", expect=200).get_json()


def _incidents(api, status="active", as_="admin_sistem"):
    return api.call("GET", f"/api/v1/incidents?status={status}", as_=as_, expect=200).get_json()


def test_retries_back_off_exponentially_then_an_incident_opens_and_a_person_retries_it(api, db, app):
    api.deploy(BPMN / "unstable_service.bpmn")
    case = api.start("uji_layanan_luar", as_="admin_sistem")
    assert case["state"] == "error" and case["error"]["element_id"] == "kirim"
    assert case["error"]["retry"] == {"retries": 2, "backoff_base": 10, "backoff_max": 3600}
    [incident] = _incidents(api)["items"]
    assert (incident["status"], incident["attempts"], incident["max_attempts"]) == ("retrying", 1, 3)

    clock.advance(timedelta(seconds=9))
    assert worker.run_once(db, app.config) == 0 and SERVICE["calls"] == 1  # not before 10 s
    clock.advance(timedelta(seconds=2))
    assert worker.run_once(db, app.config) == 1 and SERVICE["calls"] == 2
    second = api.call("GET", f"/api/v1/incidents/{incident['id']}", as_="admin_sistem", expect=200).get_json()
    assert (second["status"], second["attempts"]) == ("retrying", 2)
    # The second retry waits twice as long: 20 s after the first retry.
    assert abs(datetime.fromisoformat(second["next_retry_at"]) - (clock.now() + timedelta(seconds=20))) < timedelta(
        seconds=1)
    clock.advance(timedelta(seconds=19))
    assert worker.run_once(db, app.config) == 0
    clock.advance(timedelta(seconds=2))
    assert worker.run_once(db, app.config) == 1 and SERVICE["calls"] == 3

    opened = api.call("GET", f"/api/v1/incidents/{incident['id']}", as_="admin_sistem", expect=200).get_json()
    assert (opened["status"], opened["attempts"], opened["next_retry_at"]) == ("open", 3, None)
    assert "TimeoutError" in opened["error"]["message"]
    clock.advance(timedelta(days=1))
    assert worker.run_once(db, app.config) == 0 and SERVICE["calls"] == 3  # nothing automatic any more
    events = _events(api, case["id"])
    types = [e["type"] for e in events["items"]]
    assert types.count("error") == 3 and types.count("instance.retried") == 2
    assert types[-1] == "incident.opened" and events["verified"]
    announced = events["items"][-1]
    assert announced["data"]["for_role"] == "admin_sistem" and announced["data"]["incident"] == incident["id"]
    assert _incidents(api)["counts"] == {"retrying": 0, "open": 1, "resolved": 0}

    # The administrator fixes the cause and retries: the case moves on and the incident is resolved.
    SERVICE["up"] = True
    done = api.call("POST", f"/api/v1/incidents/{incident['id']}/retry", as_="admin_sistem", expect=200,
                    json={"reason": "LKPP sudah pulih"}).get_json()
    assert (done["status"], done["resolved_by"]) == ("resolved", "admin_sistem")
    detail = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="admin_sistem", expect=200).get_json()
    assert detail["state"] == "running" and [t["element_id"] for t in detail["tasks"]] == ["tindak_lanjut"]
    assert detail["data"]["jawaban"] == {"diterima": "laporan"}
    retried = [e for e in _events(api, case["id"])["items"] if e["type"] == "instance.retried"][-1]
    assert (retried["actor"], retried["reason"]) == ("admin_sistem", "LKPP sudah pulih")
    assert _incidents(api)["items"] == []


def test_an_automatic_retry_that_succeeds_resolves_the_incident_and_the_case_goes_on(api, db, app):
    api.deploy(BPMN / "unstable_service.bpmn")
    case = api.start("uji_layanan_luar", as_="admin_sistem")
    SERVICE["up"] = True
    clock.advance(timedelta(seconds=11))
    assert worker.run_once(db, app.config) == 1
    [incident] = _incidents(api, "all")["items"]
    assert (incident["status"], incident["resolved_by"], incident["attempts"]) == ("resolved", "system", 1)
    assert [t["element_id"] for t in api.inbox("admin_sistem")["items"]] == ["tindak_lanjut"]
    types = [e["type"] for e in _events(api, case["id"])["items"]]
    assert types[-3:] == ["instance.retried", "service.run", "task.ready"]
    assert "incident.opened" not in types


def test_with_no_retries_configured_the_incident_opens_at_once(api, db, app, tmp_path):
    app.config["SERVICE_RETRIES"] = 0
    path = tmp_path / "unstable_service.bpmn"
    path.write_text((BPMN / "unstable_service.bpmn").read_text().replace(
        '<spiffworkflow:retry retries="2" backoff_base="10" />', ""))
    api.deploy(path)
    case = api.start("uji_layanan_luar", as_="admin_sistem")
    assert case["error"]["retry"]["retries"] == 0
    [incident] = _incidents(api)["items"]
    assert (incident["status"], incident["max_attempts"]) == ("open", 1)
    assert [e["type"] for e in _events(api, case["id"])["items"]][-1] == "incident.opened"


def test_resolving_needs_a_reason_and_the_right_role_and_is_journaled(api, db, app, tmp_path):
    api.deploy(BPMN / "unstable_service.bpmn")
    case = api.start("uji_layanan_luar", as_="admin_sistem")
    [incident] = _incidents(api)["items"]
    path = f"/api/v1/incidents/{incident['id']}/resolve"
    api.call("POST", path, as_="admin_sistem", expect=422, json={})
    api.call("POST", path, as_="admin_sistem", expect=422, json={"reason": ""})
    api.call("POST", path, as_="verifikator", expect=403, json={"reason": "bukan urusan saya"})
    api.call("GET", "/api/v1/incidents", as_="penyedia", expect=403)
    assert _incidents(api, as_="auditor")["items"][0]["id"] == incident["id"]  # auditors read
    resolved = api.call("POST", path, as_="kepala", expect=200,
                        json={"reason": "Dikirim manual lewat surat resmi ke LKPP"}).get_json()
    assert (resolved["status"], resolved["resolved_by"]) == ("resolved", "kepala")
    assert resolved["resolution"] == "Dikirim manual lewat surat resmi ke LKPP"
    api.call("POST", path, as_="kepala", expect=409, json={"reason": "lagi"})
    events = _events(api, case["id"])
    last = events["items"][-1]
    assert (last["type"], last["actor"], last["role"]) == ("incident.resolved", "kepala", "kepala")
    assert last["reason"] == "Dikirim manual lewat surat resmi ke LKPP" and events["verified"]
    # A resolved incident is no longer retried automatically.
    clock.advance(timedelta(hours=1))
    assert worker.run_once(db, app.config) == 0 and SERVICE["calls"] == 1


def test_a_script_bug_is_not_retried_automatically(api, db, app):
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    api.complete(case["tasks"][0]["id"], as_="admin_sistem")
    [incident] = _incidents(api)["items"]
    assert (incident["status"], incident["retryable"], incident["element_id"]) == ("open", False, "hitung")
    clock.advance(timedelta(days=2))
    assert worker.run_once(db, app.config) == 0


def test_cancelling_the_case_closes_its_incident(api, db, app):
    api.deploy(BPMN / "unstable_service.bpmn")
    case = api.start("uji_layanan_luar", as_="admin_sistem")
    api.call("POST", f"/api/v1/process-instances/{case['id']}/cancel", as_="kepala", expect=200,
             json={"reason": "LKPP menutup layanan ini"})
    [incident] = _incidents(api, "all")["items"]
    assert (incident["status"], incident["resolved_by"]) == ("resolved", "kepala")
    clock.advance(timedelta(minutes=5))
    assert worker.run_once(db, app.config) == 0 and SERVICE["calls"] == 1
