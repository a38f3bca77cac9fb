"""The foundation end to end over HTTP: deploy a two-lane diagram, run it as two roles, read the journal."""
from __future__ import annotations

import threading

from conftest import BPMN


def test_two_lane_case_runs_across_roles_with_a_hash_chained_journal(api):
    deployed = api.deploy(BPMN / "two_lanes.bpmn").get_json()
    assert deployed["processes"][0]["process_id"] == "uji_dua_lajur"
    assert deployed["processes"][0]["version"] == 1

    case = api.start("uji_dua_lajur", {"nama": "CV Maju Jaya"}, as_="penyedia")
    assert case["state"] == "running"
    [first] = case["tasks"]
    assert (first["element_id"], first["role"]) == ("isi_permohonan", "penyedia")

    # The verifikator's inbox is empty until the supplier has filled in the request.
    assert api.inbox("verifikator")["items"] == []
    api.complete(first["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    inbox = api.inbox("verifikator")
    assert [t["element_id"] for t in inbox["items"]] == ["periksa"]
    assert inbox["counts"] == {"uji_dua_lajur": 1}

    # Wrong role: 403, and nothing changes.
    api.complete(inbox["items"][0]["id"], {"approved": True}, as_="penyedia", expect=403)
    done = api.complete(inbox["items"][0]["id"], {"approved": True}, as_="verifikator")
    assert done["state"] == "completed"
    assert done["data"]["status"] == "disetujui"
    assert done["tasks"] == []

    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"] is True
    types = [e["type"] for e in events["items"]]
    assert types == ["instance.started", "task.ready", "task.completed", "task.ready", "task.completed",
                     "instance.completed"]
    assert [e["seq"] for e in events["items"]] == [1, 2, 3, 4, 5, 6]
    assert events["items"][0]["prev_hash"] == "0" * 64
    for earlier, later in zip(events["items"], events["items"][1:]):
        assert later["prev_hash"] == earlier["hash"]
    completed_by = [(e["actor"], e["role"]) for e in events["items"] if e["type"] == "task.completed"]
    assert completed_by == [("penyedia", "penyedia"), ("verifikator", "verifikator")]
    assert events["items"][4]["data"]["after"] == {"approved": True}
    assert events["items"][4]["data"]["input"] == {"approved": True}
    assert {e["model_hash"] for e in events["items"]} == {deployed["processes"][0]["model_hash"]}


def test_a_completed_task_cannot_be_completed_again(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    task_id = case["tasks"][0]["id"]
    api.complete(task_id, as_="penyedia")
    again = api.call("POST", f"/api/v1/tasks/{task_id}/complete", as_="penyedia", expect=409, json={"data": {}})
    assert again.content_type == "application/problem+json"


def test_two_simultaneous_completions_give_one_200_and_one_409(app, api):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    task_id = case["tasks"][0]["id"]
    token = api.token("penyedia")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def complete(value):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"pilihan": value}},
                        headers={"Authorization": f"Bearer {token}"})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=complete, args=(v,)) for v in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    detail = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="penyedia", expect=200).get_json()
    assert [t["element_id"] for t in detail["tasks"]] == ["periksa"]
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert [e["type"] for e in events["items"]].count("task.completed") == 1
    assert events["verified"] is True


def test_auth_is_required_and_errors_are_problem_json(client, api):
    r = client.get("/api/v1/tasks")
    assert r.status_code == 401 and r.content_type == "application/problem+json"
    assert r.get_json()["status"] == 401
    r = client.post("/api/v1/auth/token", json={"username": "kepala", "password": "salah"})
    assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "kepala"})
    assert r.status_code == 422 and "password" in r.get_json()["errors"]
    r = api.call("GET", "/api/v1/process-instances/999999", as_="kepala", expect=404)
    assert r.content_type == "application/problem+json"
    r = client.get("/api/v1/tasks", headers={"Authorization": "Bearer forged.token.value"})
    assert r.status_code == 401


def test_only_an_analyst_deploys_and_auditors_never_write(api):
    api.deploy(BPMN / "two_lanes.bpmn", as_="verifikator", expect=403)
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur", as_="auditor", expect=403)
    case = api.start("uji_dua_lajur")
    api.complete(case["tasks"][0]["id"], as_="auditor", expect=403)


def test_start_is_limited_to_the_start_lane_and_unknown_processes_are_404(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    r = api.call("POST", "/api/v1/process-instances", as_="layanan", expect=403,
                 json={"process": "uji_dua_lajur", "data": {}})
    assert "penyedia" in r.get_json()["detail"]
    api.call("POST", "/api/v1/process-instances", as_="penyedia", expect=404, json={"process": "tidak_ada"})
    r = api.call("POST", "/api/v1/process-instances", as_="penyedia", expect=422,
                 json={"process": "uji_dua_lajur", "data": [1, 2]})
    assert "data" in r.get_json()["errors"]


def test_a_supplier_sees_only_their_own_cases(app, api, db):
    from engine.services.accounts import create_user

    with db.unit_of_work() as session:
        create_user(session, "cv_lain", "sandi-panjang-1", ["penyedia"])
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur", as_="penyedia")
    r = api.client.post("/api/v1/auth/token", json={"username": "cv_lain", "password": "sandi-panjang-1"})
    other = {"Authorization": f"Bearer {r.get_json()['token']}"}
    assert api.client.get(f"/api/v1/process-instances/{case['id']}", headers=other).status_code == 404
    assert api.client.get("/api/v1/process-instances", headers=other).get_json()["items"] == []
    # Its task is in the penyedia lane, but belongs to the other supplier's case: they cannot see it either.
    assert api.client.get(f"/api/v1/process-instances/{case['id']}/events", headers=other).status_code == 404
    assert api.client.get("/api/v1/tasks", headers=other).get_json()["items"] == []
    r = api.client.post(f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", json={"data": {}}, headers=other)
    assert r.status_code == 403


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["database"] == "ok"
