"""Incoming hooks: a monitoring alert starts a case (bearer token), LKPP's answer resumes it (HMAC), and an
Idempotency-Key makes a retried call return the same response without a second effect."""
from __future__ import annotations

import json
import threading
import time

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from conftest import BPMN
from engine.models import HookRequest, Instance


def configure(api, **spec):
    return api.call("POST", "/api/v1/inbound-hooks", as_="admin_sistem", expect=201, json=spec).get_json()


def signed(secret: str, body: dict, msg_id: str = "msg_lkpp_1") -> tuple[bytes, dict]:
    """Sign as another system would, with the Standard Webhooks reference library."""
    from datetime import datetime, timezone

    raw = json.dumps(body)
    now = datetime.now(timezone.utc)
    return raw.encode(), {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
                          "webhook-signature": Webhook(secret).sign(msg_id, now, raw),
                          "content-type": "application/json"}


def instance_count(db) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(Instance))


def test_a_monitoring_alert_starts_a_case_and_lkpps_answer_resumes_it(api, db, client):
    api.deploy(BPMN / "hook_escalation.bpmn")
    configure(api, name="pemantauan", action="start", process="uji_eskalasi", auth="token", roles=["admin_sistem"])
    lkpp = configure(api, name="jawaban-lkpp", action="message", message="jawaban_lkpp", auth="hmac",
                     act_as="admin_sistem", instance_field="nomor_kasus")
    assert lkpp["secret"].startswith("whsec_") and lkpp["url"] == "/api/v1/hooks/jawaban-lkpp"

    alert = {"alert": "disk /var 95%", "host": "spse-db"}
    headers = {"Authorization": f"Bearer {api.token('admin_sistem')}", "Idempotency-Key": "alert-7781"}
    started = client.post("/api/v1/hooks/pemantauan", json=alert, headers=headers)
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["instance_id"]
    assert started.get_json() == {"hook": "pemantauan", "action": "start", "process": "uji_eskalasi",
                                  "instance_id": case_id}
    case = api.call("GET", f"/api/v1/process-instances/{case_id}", as_="admin_sistem", expect=200).get_json()
    assert case["started_by"] == "admin_sistem" and case["data"]["alert"] == "disk /var 95%"
    assert case["elements"]["tunggu_lkpp"] == "waiting" and case["tasks"] == []

    body, sig_headers = signed(lkpp["secret"], {"nomor_kasus": case_id, "jawaban": "perbaikan di sisi SPSE"})
    resumed = client.post("/api/v1/hooks/jawaban-lkpp", data=body, headers={**sig_headers, "Idempotency-Key": "L-1"})
    assert resumed.status_code == 200, resumed.get_json()
    assert resumed.get_json() == {"hook": "jawaban-lkpp", "action": "message", "message": "jawaban_lkpp",
                                  "instance_id": case_id}
    case = api.call("GET", f"/api/v1/process-instances/{case_id}", as_="admin_sistem", expect=200).get_json()
    assert [t["element_id"] for t in case["tasks"]] == ["tindak_lanjut"]
    assert case["data"]["jawaban_lkpp"]["jawaban"] == "perbaikan di sisi SPSE"
    events = api.call("GET", f"/api/v1/process-instances/{case_id}/events", as_="auditor", expect=200).get_json()
    received = [e for e in events["items"] if e["type"] == "message.received"]
    assert received[0]["actor"] == "hook:jawaban-lkpp" and received[0]["role"] == "admin_sistem"
    assert events["verified"] is True


def test_the_same_idempotency_key_gives_the_same_response_and_no_second_case(api, db, client):
    api.deploy(BPMN / "hook_escalation.bpmn")
    configure(api, name="pemantauan", action="start", process="uji_eskalasi", auth="token")
    headers = {"Authorization": f"Bearer {api.token('admin_sistem')}", "Idempotency-Key": "alert-1"}
    first = client.post("/api/v1/hooks/pemantauan", json={"alert": "a"}, headers=headers)
    again = client.post("/api/v1/hooks/pemantauan", json={"alert": "a"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert instance_count(db) == 1
    # The same key with another body is a mistake the caller must hear about.
    reused = client.post("/api/v1/hooks/pemantauan", json={"alert": "b"}, headers=headers)
    assert reused.status_code == 422 and "Idempotency-Key" in reused.get_json()["errors"]
    other = client.post("/api/v1/hooks/pemantauan", json={"alert": "b"},
                        headers={**headers, "Idempotency-Key": "alert-2"})
    assert other.status_code == 201 and instance_count(db) == 2


def test_two_copies_arriving_at_once_start_one_case(app, api, db):
    api.deploy(BPMN / "hook_escalation.bpmn")
    configure(api, name="pemantauan", action="start", process="uji_eskalasi", auth="token")
    headers = {"Authorization": f"Bearer {api.token('admin_sistem')}", "Idempotency-Key": "alert-race"}
    barrier, answers = threading.Barrier(4), []

    def call():
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/hooks/pemantauan", json={"alert": "x"}, headers=headers)
        answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {201}
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    assert instance_count(db) == 1
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(HookRequest)) == 1


def test_callers_must_prove_who_they_are(api, client):
    api.deploy(BPMN / "hook_escalation.bpmn")
    configure(api, name="pemantauan", action="start", process="uji_eskalasi", auth="token", roles=["admin_sistem"])
    lkpp = configure(api, name="lkpp", action="message", message="jawaban_lkpp", auth="hmac", act_as="admin_sistem")
    key = {"Idempotency-Key": "k1"}
    assert client.post("/api/v1/hooks/pemantauan", json={}, headers=key).status_code == 401
    r = client.post("/api/v1/hooks/pemantauan", json={}, headers={**key, "Authorization": "Bearer forged"})
    assert r.status_code == 401 and r.content_type == "application/problem+json"
    r = client.post("/api/v1/hooks/pemantauan", json={},
                    headers={**key, "Authorization": f"Bearer {api.token('verifikator')}"})
    assert r.status_code == 403
    # HMAC: a wrong secret, a changed body and a stale timestamp are all refused.
    body, headers = signed("whsec_" + "A" * 44, {"instance_id": 1})
    assert client.post("/api/v1/hooks/lkpp", data=body, headers={**headers, **key}).status_code == 401
    body, headers = signed(lkpp["secret"], {"instance_id": 1})
    assert client.post("/api/v1/hooks/lkpp", data=body + b" ", headers={**headers, **key}).status_code == 401
    stale = dict(headers, **{"webhook-timestamp": str(int(time.time()) - 3600)})
    assert client.post("/api/v1/hooks/lkpp", data=body, headers={**stale, **key}).status_code == 401
    # A bearer token does not open an HMAC hook, and an unknown hook stays hidden from strangers.
    r = client.post("/api/v1/hooks/lkpp", json={}, headers={**key, "Authorization": f"Bearer {api.token('admin_sistem')}"})
    assert r.status_code == 401
    assert client.post("/api/v1/hooks/tidak-ada", json={}, headers=key).status_code == 401
    r = client.post("/api/v1/hooks/tidak-ada", json={}, headers={**key, "Authorization": f"Bearer {api.token('kepala')}"})
    assert r.status_code == 404


def test_bad_calls_say_what_to_fix_and_change_nothing(api, db, client):
    api.deploy(BPMN / "hook_escalation.bpmn")
    configure(api, name="lkpp", action="message", message="jawaban_lkpp", auth="token")
    auth = {"Authorization": f"Bearer {api.token('admin_sistem')}"}
    r = client.post("/api/v1/hooks/lkpp", json={"instance_id": 1}, headers=auth)
    assert r.status_code == 400 and "Idempotency-Key" in r.get_json()["detail"]
    r = client.post("/api/v1/hooks/lkpp", data=b"[1, 2]", headers={**auth, "Idempotency-Key": "a",
                                                                   "content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/v1/hooks/lkpp", json={"jawaban": "x"}, headers={**auth, "Idempotency-Key": "b"})
    assert r.status_code == 422 and "instance_id" in r.get_json()["errors"]
    r = client.post("/api/v1/hooks/lkpp", json={"instance_id": 999}, headers={**auth, "Idempotency-Key": "c"})
    assert r.status_code == 404
    # A failed call stores nothing: the same key may be used again once the cause is fixed.
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(HookRequest)) == 0


def test_hook_configuration_is_for_admin_sistem_and_validated(api):
    api.call("POST", "/api/v1/inbound-hooks", as_="kepala", expect=403, json={})
    r = api.call("POST", "/api/v1/inbound-hooks", as_="admin_sistem", expect=422,
                 json={"name": "Bad Name", "action": "start", "auth": "hmac"})
    assert {"name", "process", "act_as"} <= set(r.get_json()["errors"])
    configure(api, name="pemantauan", action="start", process="uji_eskalasi", auth="token")
    api.call("POST", "/api/v1/inbound-hooks", as_="admin_sistem", expect=409,
             json={"name": "pemantauan", "action": "start", "process": "x", "auth": "token"})
    changed = api.call("PATCH", "/api/v1/inbound-hooks/pemantauan", as_="admin_sistem", expect=200,
                       json={"auth": "hmac", "act_as": "admin_sistem"}).get_json()
    assert changed["secret"].startswith("whsec_")
    rotated = api.call("POST", "/api/v1/inbound-hooks/pemantauan/rotate-secret", as_="admin_sistem",
                       expect=200).get_json()
    assert rotated["secret"] != changed["secret"]
    listed = api.call("GET", "/api/v1/inbound-hooks", as_="admin_sistem", expect=200).get_json()["items"]
    assert [h["name"] for h in listed] == ["pemantauan"] and "secret" not in listed[0]
    api.call("DELETE", "/api/v1/inbound-hooks/pemantauan", as_="admin_sistem", expect=204)
    api.call("GET", "/api/v1/inbound-hooks/pemantauan", as_="admin_sistem", expect=404)
