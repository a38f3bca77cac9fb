"""Outgoing webhooks end to end: subscriptions, the transactional outbox, signed delivery to a real HTTP
receiver on loopback, retries, dead letters, redelivery, 410, redirects and the SSRF guard.
"""
from __future__ import annotations

import base64
import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from conftest import BPMN
from engine import clock
from engine.models import DeliveryAttempt, OutboxMessage
from engine.registry import HandlerContext, handler
from receivers import Receiver, free_port
from webhooks import delivery, outbox

PORT = free_port()  # chosen at import: subscriptions below name it before a receiver listens
PERSONAL = {"nama": "CV Maju Jaya", "nik": "3572010101010001", "npwp": "01.234.567.8-901.000",
            "catatan": "NIK pemohon 3572 0101 0101 0001 cocok dengan KTP"}


@handler("uji.setujui")
def _setujui(ctx: HandlerContext, nama, nik, npwp, catatan) -> dict:
    ctx.emit("registration.approved", nama=nama, nik=nik, npwp=npwp, catatan=catatan, nomor_npwp=npwp)
    return {"disetujui": True}


@pytest.fixture
def receiver():
    r = Receiver(PORT).start()
    yield r
    r.stop()


@pytest.fixture
def loopback_allowed(app):
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    return app.config


def subscribe(api, url: str, events=("*",), expect: int = 201):
    return api.call("POST", "/api/v1/webhooks", as_="admin_sistem", expect=expect,
                    json={"url": url, "events": list(events)}).get_json()


def deliver_until_idle(app, rounds: int = 50) -> int:
    db, total = app.extensions["alur_db"], 0
    for _ in range(rounds):
        done = delivery.run_due(db, app.config)
        if done == 0:
            return total
        total += done
    raise AssertionError("deliveries never ran out")


def rows(db, **where) -> list[OutboxMessage]:
    with db.reader() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return list(session.scalars(query))


def run_two_lane_case(api) -> dict:
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur", {"nama": "CV Maju Jaya"})
    api.complete(case["tasks"][0]["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    task = api.inbox("verifikator")["items"][0]
    api.complete(task["id"], {"approved": True}, as_="verifikator")
    return case


def run_domain_case(api) -> dict:
    api.deploy(BPMN / "webhook_events.bpmn")
    case = api.start("uji_peristiwa", PERSONAL)
    task = api.inbox("verifikator")["items"][0]
    api.complete(task["id"], {"keputusan": "setuju"}, as_="verifikator")
    return case


# --- subscriptions -------------------------------------------------------------------------------

def test_subscription_lifecycle_through_the_api(api, loopback_allowed):
    created = subscribe(api, f"http://127.0.0.1:{PORT}/hook", ["task.created", "registration.*"])
    assert created["state"] == "active" and created["events"] == ["task.created", "registration.*"]
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"][6:])) == 32
    listed = api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]

    path = f"/api/v1/webhooks/{created['id']}"
    assert api.call("POST", f"{path}/pause", as_="admin_sistem", expect=200, json={"reason": "pemeliharaan"}
                    ).get_json()["state"] == "paused"
    assert api.call("POST", f"{path}/resume", as_="admin_sistem", expect=200).get_json()["state"] == "active"
    rotated = api.call("POST", f"{path}/rotate-secret", as_="admin_sistem", expect=200).get_json()
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_until"] is not None
    changed = api.call("PATCH", path, as_="admin_sistem", expect=200, json={"events": ["*"]}).get_json()
    assert changed["events"] == ["*"]
    api.call("DELETE", path, as_="admin_sistem", expect=204)
    api.call("GET", path, as_="admin_sistem", expect=404)
    assert api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"] == []


def test_only_admin_sistem_manages_webhooks_and_bad_input_says_what_to_fix(api, loopback_allowed):
    api.call("POST", "/api/v1/webhooks", as_="kepala", expect=403, json={"url": "http://127.0.0.1/", "events": ["*"]})
    api.call("GET", "/api/v1/webhooks", as_="verifikator", expect=403)
    bad = subscribe(api, "ftp://example.org/x", ["*"], expect=422)
    assert bad["errors"]["url"][0].startswith("Hanya http")
    bad = subscribe(api, f"http://127.0.0.1:{PORT}/", [], expect=422)
    assert "events" in bad["errors"]
    bad = subscribe(api, f"http://127.0.0.1:{PORT}/", ["Task Created!"], expect=422)
    assert "Task Created!" in bad["errors"]["events"][0]
    bad = subscribe(api, f"http://user:pw@127.0.0.1:{PORT}/", ["*"], expect=422)
    assert "credentials" in bad["errors"]["url"][0]
    assert api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"] == []


# --- the outbox ----------------------------------------------------------------------------------

def test_every_public_event_gets_an_outbox_row_per_matching_subscription(api, db, loopback_allowed):
    everything = subscribe(api, f"http://127.0.0.1:{PORT}/all")
    tasks_only = subscribe(api, f"http://127.0.0.1:{PORT}/tasks", ["task.*"])
    case = run_two_lane_case(api)
    all_types = [r.event_type for r in rows(db, endpoint_id=everything["id"])]
    assert all_types == ["instance.started", "task.created", "task.completed", "task.created", "task.completed",
                         "instance.completed"]
    assert [r.event_type for r in rows(db, endpoint_id=tasks_only["id"])] == [
        "task.created", "task.completed", "task.created", "task.completed"]
    # One message per event: both endpoints get the same webhook-id for the same event.
    assert [r.message_id for r in rows(db, endpoint_id=tasks_only["id"])] == \
        [r.message_id for r in rows(db, endpoint_id=everything["id"]) if r.event_type.startswith("task.")]
    body = json.loads(rows(db, endpoint_id=everything["id"])[1].body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "task.created" and re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$", body["timestamp"])
    assert body["data"]["instance_id"] == case["id"] and body["data"]["task_id"] == case["tasks"][0]["id"]
    assert body["data"]["role"] == "penyedia" and body["data"]["summary"]


def test_outbox_rows_exist_only_for_committed_changes(app, api, db, loopback_allowed):
    endpoint = subscribe(api, f"http://127.0.0.1:{PORT}/hook", ["task.completed"])
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    task_id = case["tasks"][0]["id"]
    token = api.token("penyedia")
    barrier, statuses = threading.Barrier(2), []

    def complete(value):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"pilihan": value}},
                                    headers={"Authorization": f"Bearer {token}"}).status_code)

    threads = [threading.Thread(target=complete, args=(v,)) for v in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    # The loser's transaction wrote its journal rows and outbox rows, then rolled back: none are left.
    assert [r.event_type for r in rows(db, endpoint_id=endpoint["id"])] == ["task.completed"]


def test_payloads_never_carry_a_nik_or_npwp(api, db, loopback_allowed):
    subscribe(api, f"http://127.0.0.1:{PORT}/hook")
    run_domain_case(api)
    found = rows(db)
    types = [r.event_type for r in found]
    assert "registration.approved" in types and "instance.started" in types
    numbers = [re.sub(r"\D", "", str(v)) for k, v in PERSONAL.items() if k in ("nik", "npwp", "nomor_npwp")]
    assert numbers, "the case must carry personal numbers for this test to mean anything"
    for row in found:
        # Task ids are UUIDs: without their dashes a run of hex digits can look like a NIK by chance.
        body = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", row.body)
        assert not re.search(r"\d{15,16}", re.sub(r"[ .\-]", "", body)), row.body
        assert not any(n in re.sub(r"[ .\-]", "", body) for n in numbers), row.body
        assert '"nik"' not in row.body and '"npwp"' not in row.body and "nomor_npwp" not in row.body
    approved = json.loads(next(r.body for r in found if r.event_type == "registration.approved"))
    assert approved["data"]["details"] == {"nama": "CV Maju Jaya",
                                           "catatan": "NIK pemohon 3572********0001 cocok dengan KTP"}


# --- delivery ------------------------------------------------------------------------------------

def test_every_delivery_is_signed_and_verifies_with_the_standard_webhooks_library(app, api, db, receiver,
                                                                                 loopback_allowed):
    endpoint = subscribe(api, receiver.url)
    run_domain_case(api)
    expected = rows(db, endpoint_id=endpoint["id"])
    assert deliver_until_idle(app) == len(expected)
    assert sorted(receiver.ids()) == sorted(r.message_id for r in expected)
    verifier = Webhook(endpoint["secret"])
    for item in receiver.received:
        assert item.headers["content-type"] == "application/json"
        assert re.fullmatch(r"v1,[A-Za-z0-9+/]+=*", item.headers["webhook-signature"])
        payload = verifier.verify(item.body, item.headers)
        assert payload["type"] in {"instance.started", "task.created", "task.completed", "registration.approved",
                                   "instance.completed"}
    forged = dict(receiver.received[0].headers, **{"webhook-id": "msg_forged"})
    with pytest.raises(WebhookVerificationError):
        verifier.verify(receiver.received[0].body, forged)
    assert {r.state for r in rows(db)} == {"delivered"}
    log = api.call("GET", f"/api/v1/webhooks/{endpoint['id']}/deliveries", as_="admin_sistem", expect=200).get_json()
    assert {(d["state"], d["last_status"]) for d in log["items"]} == {("delivered", 200)}
    assert all(d["last_latency_ms"] is not None for d in log["items"])


def test_after_rotation_both_secrets_verify_for_a_day(app, api, receiver, loopback_allowed):
    endpoint = subscribe(api, receiver.url, ["task.created"])
    rotated = api.call("POST", f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", as_="admin_sistem",
                       expect=200).get_json()
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    [item] = receiver.received
    assert len(item.headers["webhook-signature"].split()) == 2
    Webhook(endpoint["secret"]).verify(item.body, item.headers)
    Webhook(rotated["secret"]).verify(item.body, item.headers)
    clock.advance(timedelta(hours=25))
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    later = receiver.received[1]
    assert len(later.headers["webhook-signature"].split()) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(later.body, later.headers)
    Webhook(rotated["secret"]).verify(later.body, later.headers)


def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_back(app, api, db, loopback_allowed):
    receiver = Receiver(PORT)  # not started: connections are refused
    endpoint = subscribe(api, receiver.url)
    run_two_lane_case(api)
    run_two_lane_case(api)
    expected = sorted(r.message_id for r in rows(db, endpoint_id=endpoint["id"]))
    assert len(expected) == 12
    for hours in (0, 1, 3):  # three rounds while it is down: every row fails and waits longer each time
        clock.advance(timedelta(hours=hours))
        deliver_until_idle(app)
    pending = rows(db, endpoint_id=endpoint["id"])
    assert {r.state for r in pending} == {"pending"} and {r.attempts for r in pending} == {3}
    assert all("Connection refused" in (r.last_error or "") or "ConnectionRefused" in (r.last_error or "")
               for r in pending)
    receiver.start()
    try:
        clock.advance(timedelta(hours=1))
        deliver_until_idle(app)
        assert sorted(receiver.ids()) == expected  # every event, each exactly once
        assert {r.state for r in rows(db, endpoint_id=endpoint["id"])} == {"delivered"}
        with db.reader() as session:
            statuses = [a.status for a in session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]
        assert statuses.count(200) == 12 and statuses.count(None) == 36
    finally:
        receiver.stop()


def test_retries_back_off_for_about_three_days_then_dead_letter_and_manual_redelivery(app, api, db, receiver,
                                                                                    loopback_allowed):
    receiver.status = 503
    endpoint = subscribe(api, receiver.url, ["task.created"])
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    started = clock.now()
    for _ in range(20):  # move the clock to each retry as it falls due
        [row] = rows(db, endpoint_id=endpoint["id"])
        if row.state != "pending":
            break
        clock.advance(max(row.next_attempt_at - clock.now(), timedelta(0)))
        deliver_until_idle(app)
    [row] = rows(db, endpoint_id=endpoint["id"])
    assert row.state == "failed" and row.attempts == outbox.MAX_ATTEMPTS == 10 and row.last_status == 503
    with db.reader() as session:
        times = [a.at for a in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outbox_id == row.id)
                                                 .order_by(DeliveryAttempt.attempt))]
    # 5 s, 5 min, 30 min, 2, 5, 10, 14, 20 and 20 hours, each ±20 %: about three days from first to last try.
    assert len(times) == 10 and timedelta(days=2.3) < times[-1] - started < timedelta(days=3.7)
    assert all(later > earlier for earlier, later in zip(times, times[1:]))
    assert len(set(receiver.ids())) == 1  # every retry carried the same webhook-id

    receiver.status = 200
    path = f"/api/v1/webhooks/{endpoint['id']}/deliveries/{row.id}"
    detail = api.call("GET", path, as_="admin_sistem", expect=200).get_json()
    assert [entry["status"] for entry in detail["log"]] == [503] * 10
    assert api.call("POST", f"{path}/redeliver", as_="admin_sistem", expect=202).get_json()["state"] == "pending"
    deliver_until_idle(app)
    assert rows(db, endpoint_id=endpoint["id"])[0].state == "delivered"
    assert len(receiver.received) == 11 and set(receiver.ids()) == {row.message_id}
    api.call("POST", f"{path}/redeliver", as_="admin_sistem", expect=202)  # a delivered one may be sent again too


def test_410_gone_disables_the_endpoint_and_later_events_wait_for_resume(app, api, db, receiver, loopback_allowed):
    receiver.status = 410
    endpoint = subscribe(api, receiver.url, ["task.created"])
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    state = api.call("GET", f"/api/v1/webhooks/{endpoint['id']}", as_="admin_sistem", expect=200).get_json()
    assert state["state"] == "disabled" and "410" in state["state_reason"]
    assert [r.state for r in rows(db)] == ["failed"]
    api.start("uji_dua_lajur")  # a disabled endpoint gets nothing new
    assert len(rows(db)) == 1
    receiver.status = 200
    api.call("POST", f"/api/v1/webhooks/{endpoint['id']}/resume", as_="admin_sistem", expect=200)
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    assert [r.state for r in rows(db)] == ["failed", "delivered"] and len(receiver.received) == 2


def test_paused_endpoints_queue_and_receive_on_resume(app, api, db, receiver, loopback_allowed):
    endpoint = subscribe(api, receiver.url, ["task.created"])
    api.call("POST", f"/api/v1/webhooks/{endpoint['id']}/pause", as_="admin_sistem", expect=200, json={})
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    assert deliver_until_idle(app) == 0 and [r.state for r in rows(db)] == ["held"]
    api.call("POST", f"/api/v1/webhooks/{endpoint['id']}/resume", as_="admin_sistem", expect=200)
    deliver_until_idle(app)
    assert [r.state for r in rows(db)] == ["delivered"] and len(receiver.received) == 1


def test_redirects_are_not_followed(app, api, db, receiver, loopback_allowed):
    receiver.status = 302
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    subscribe(api, receiver.url, ["task.created"])
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    [row] = rows(db)
    assert row.state == "pending" and row.last_status == 302 and "not followed" in row.last_error
    assert len(receiver.received) == 1


def test_test_event_reaches_the_receiver(app, api, receiver, loopback_allowed):
    endpoint = subscribe(api, receiver.url, ["task.created"])
    queued = api.call("POST", f"/api/v1/webhooks/{endpoint['id']}/test", as_="admin_sistem", expect=202).get_json()
    deliver_until_idle(app)
    [item] = receiver.received
    assert item.headers["webhook-id"] == queued["webhook_id"]
    assert Webhook(endpoint["secret"]).verify(item.body, item.headers)["type"] == "webhook.test"
