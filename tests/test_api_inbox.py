"""The REST API around the inbox: filters, keyset pages that stay stable, claiming, reassignment by the
head with a journaled reason, and the other reads the browser builds on."""
from __future__ import annotations

import io
from datetime import timedelta

from conftest import BPMN, PASSWORD

from engine import clock
from engine.services import accounts, announcements

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _registration(api, as_="penyedia"):
    """A registration case of the test diagram, filled in, waiting for the verifikator."""
    case = api.start("uji_registrasi", as_=as_)
    docs = [api.call("POST", "/api/v1/documents", as_=as_, expect=201, content_type="multipart/form-data",
                     data={"file": (io.BytesIO(PDF), name)}).get_json()["id"] for name in ("ktp.pdf", "akta.pdf")]
    api.complete(case["tasks"][0]["id"], {"nama_perusahaan": "CV Maju", "npwp": "012345678901234",
                                          "bentuk_usaha": "CV", "ktp": docs[0], "akta": docs[1]}, as_=as_)
    return case


def _two_lane(api):
    case = api.start("uji_dua_lajur")
    api.complete(case["tasks"][0]["id"], {"alamat": "Blitar"})
    return case


def test_inbox_counts_order_filters_and_stable_pages(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.deploy(BPMN / "registrasi_uji.bpmn")
    plain = [_two_lane(api) for _ in range(3)]
    clock.advance(timedelta(minutes=1))
    due = [_registration(api) for _ in range(2)]

    inbox = api.inbox("verifikator")
    assert inbox["counts"] == {"uji_dua_lajur": 3, "uji_registrasi": 2}
    # Due tasks first (soonest first), then the rest oldest first.
    assert [t["instance_id"] for t in inbox["items"]] == [c["id"] for c in due] + [c["id"] for c in plain]
    assert inbox["next_cursor"] is None

    # Pages of two, while a task on the second page is completed meanwhile: nothing repeats or is skipped.
    first = api.inbox("verifikator", limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    api.complete(inbox["items"][2]["id"], {"approved": True}, as_="verifikator")
    second = api.inbox("verifikator", limit=2, cursor=first["next_cursor"])
    assert first["counts"] and second["counts"] is None  # counted once, on the first page
    seen = [t["id"] for t in first["items"] + second["items"]]
    assert seen == [t["id"] for t in inbox["items"] if t["id"] != inbox["items"][2]["id"]]
    assert second["next_cursor"] is None

    only = api.inbox("verifikator", process="uji_registrasi")
    assert {t["process_id"] for t in only["items"]} == {"uji_registrasi"}
    assert only["counts"] == {"uji_dua_lajur": 2, "uji_registrasi": 2}  # counts cover every process
    assert api.inbox("verifikator", overdue="true")["items"] == []
    clock.advance(timedelta(days=2))
    overdue = api.inbox("verifikator", overdue="true")
    assert [t["instance_id"] for t in overdue["items"]] == [c["id"] for c in due]
    assert overdue["counts"] == {"uji_registrasi": 2}
    soon = api.inbox("verifikator", due_before=(clock.now() + timedelta(days=30)).isoformat())
    assert len(soon["items"]) == 2

    bad = api.call("GET", "/api/v1/tasks?cursor=bm90LWEtY3Vyc29y", as_="verifikator", expect=422).get_json()
    assert "cursor" in bad["errors"]
    # The supplier's inbox holds only the tasks of their own cases.
    assert api.inbox("penyedia")["items"] == []
    assert api.inbox("kepala")["items"] == []


def test_claim_unclaim_and_reassign_are_journaled(api, db):
    with db.unit_of_work() as session:
        accounts.create_user(session, "verif2", PASSWORD, ["verifikator"])
        accounts.create_user(session, "verif_lama", PASSWORD, ["verifikator"])
        accounts.deactivate(session, "verif_lama")
    api.deploy(BPMN / "registrasi_uji.bpmn")
    case = _registration(api)
    task = api.inbox("verifikator")["items"][0]
    path = f"/api/v1/tasks/{task['id']}"

    claimed = api.call("POST", f"{path}/claim", as_="verifikator", expect=200).get_json()
    assert claimed["assignee"] == "verifikator"
    api.call("POST", f"{path}/claim", as_="verifikator", expect=200)  # again: no change, no new event
    taken = api.call("POST", f"{path}/claim", as_="verif2", expect=409).get_json()
    assert taken["assignee"] == "verifikator"
    api.complete(task["id"], {"disetujui": True}, as_="verif2", expect=403)
    assert [t["id"] for t in api.inbox("verifikator", assignee="me")["items"]] == [task["id"]]
    assert api.inbox("verif2", assignee="none")["items"] == []
    assert len(api.inbox("verif2")["items"]) == 1  # still visible to the role, marked as claimed
    api.call("POST", f"{path}/unclaim", as_="verif2", expect=403)
    api.call("POST", f"{path}/claim", as_="penyedia", expect=403)
    api.call("POST", f"{path}/claim", as_="auditor", expect=403)

    api.call("POST", f"{path}/reassign", as_="kepala", expect=422, json={"assignee": "verif2", "reason": ""})
    for wrong in ("penyedia", "verif_lama", "tidak_ada"):
        problem = api.call("POST", f"{path}/reassign", as_="kepala", expect=422,
                           json={"assignee": wrong, "reason": "cuti"}).get_json()
        assert "assignee" in problem["errors"], wrong
    api.call("POST", f"{path}/reassign", as_="verifikator", expect=403, json={"assignee": "verif2", "reason": "x"})
    moved = api.call("POST", f"{path}/reassign", as_="kepala", expect=200,
                     json={"assignee": "verif2", "reason": "Verifikator sedang cuti"}).get_json()
    assert moved["assignee"] == "verif2"
    api.complete(task["id"], {"disetujui": True}, as_="verifikator", expect=403)
    api.call("POST", f"{path}/unclaim", as_="verif2", expect=200)
    done = api.complete(task["id"], {"disetujui": True, "alasan": ""}, as_="verifikator")
    assert done["state"] == "completed"
    api.call("POST", f"{path}/claim", as_="verifikator", expect=409)  # a completed task is not claimed

    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert events["verified"] is True
    changes = [(e["type"], e["actor"], e["data"].get("assignee"), e["reason"]) for e in events["items"]
               if e["type"] in ("task.claimed", "task.unclaimed", "task.reassigned")]
    assert changes == [("task.claimed", "verifikator", "verifikator", None),
                       ("task.reassigned", "kepala", "verif2", "Verifikator sedang cuti"),
                       ("task.unclaimed", "verif2", None, None)]


def test_instances_by_process_state_and_dates_with_their_documents(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.deploy(BPMN / "registrasi_uji.bpmn")
    old = api.start("uji_dua_lajur")
    clock.advance(timedelta(days=10))
    middle = clock.now()
    new = _registration(api)
    listed = api.call("GET", "/api/v1/process-instances", as_="auditor", expect=200,
                      query_string={"started_from": middle.isoformat()}).get_json()
    assert [i["id"] for i in listed["items"]] == [new["id"]]
    listed = api.call("GET", "/api/v1/process-instances", as_="auditor", expect=200,
                      query_string={"started_to": middle.isoformat(), "state": "running"}).get_json()
    assert [i["id"] for i in listed["items"]] == [old["id"]]
    page = api.call("GET", "/api/v1/process-instances?limit=1", as_="kepala", expect=200).get_json()
    assert page["items"][0]["id"] == new["id"] and page["next_after"] == new["id"]
    rest = api.call("GET", f"/api/v1/process-instances?limit=1&after={page['next_after']}", as_="kepala").get_json()
    assert [i["id"] for i in rest["items"]] == [old["id"]]

    docs = api.call("GET", f"/api/v1/process-instances/{new['id']}/documents", as_="verifikator", expect=200)
    assert sorted(d["filename"] for d in docs.get_json()["items"]) == ["akta.pdf", "ktp.pdf"]
    detail = api.call("GET", f"/api/v1/process-instances/{new['id']}", as_="penyedia", expect=200).get_json()
    assert detail["elements"]["isi_formulir"] == "completed" and detail["elements"]["verifikasi"] == "ready"
    # Another supplier sees neither the case nor its documents.
    api.call("GET", f"/api/v1/process-instances/{new['id']}/documents", as_="pengguna", expect=404)


def test_forms_and_announcements_have_their_schemas(api, db):
    english = api.call("GET", "/api/v1/forms/uji.pendaftaran?lang=en", as_="penyedia", expect=200).get_json()
    assert english["properties"]["ktp"]["title"] == "Identity card (KTP) scan"
    assert english["properties"]["ktp"]["format"] == "x-document"
    assert english["additionalProperties"] is False and "$schema" in english
    api.call("GET", "/api/v1/forms/uji.pendaftaran?lang=fr", as_="penyedia", expect=422)
    assert "uji.pendaftaran" in api.call("GET", "/api/v1/forms", as_="auditor", expect=200).get_json()["items"]

    now = clock.now()
    with db.unit_of_work() as session:
        announcements.publish(session, "Pemeliharaan server", "Layanan berhenti 22.00-23.00 WIB.",
                              now, now + timedelta(days=1), "admin_sistem")
        announcements.publish(session, "Nanti", "Belum tampil.", now + timedelta(days=3), None, "layanan")
    listed = api.client.get("/api/v1/announcements").get_json()  # public: no token
    assert [a["title"] for a in listed["items"]] == ["Pemeliharaan server"]
    clock.advance(timedelta(days=4))
    assert [a["title"] for a in api.client.get("/api/v1/announcements").get_json()["items"]] == ["Nanti"]


def test_every_json_operation_in_the_openapi_document_names_its_schemas(client):
    spec = client.get("/api/openapi.json").get_json()
    raw = {("/api/v1/process-definitions/{process_id}/xml", "get"), ("/api/v1/documents/{document_id}", "get")}
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters" or (path, method) in raw:
                continue
            ok = [(code, r) for code, r in operation["responses"].items() if code.startswith("2")]
            if not ok or not all("content" in r or code == "204" for code, r in ok):
                missing.append((method, path))
    assert missing == []


def _row_written_elsewhere(db, like: dict) -> None:
    """A task row as another server process would write it: behind this process's back (no freshness bump)."""
    from sqlalchemy import insert

    from engine.models import Task

    with db.engine.begin() as connection:
        connection.execute(insert(Task.__table__), {**like, "id": "00000000-0000-0000-0000-00000000abcd"})


def test_counts_follow_the_ttl_setting_for_changes_made_by_other_processes(app, api, db):
    from engine.models import Task
    from engine.services import inbox

    api.deploy(BPMN / "two_lanes.bpmn")
    _two_lane(api)
    assert api.inbox("verifikator")["counts"] == {"uji_dua_lajur": 1}
    with db.reader() as session:
        like = {c.name: getattr(session.query(Task).filter_by(role="verifikator").one(), c.name)
                for c in Task.__table__.columns}
    _row_written_elsewhere(db, like)
    # Default: counts are reused for a few seconds; the task list itself is never cached.
    page = api.inbox("verifikator")
    assert page["counts"] == {"uji_dua_lajur": 1} and len(page["items"]) == 2
    inbox.COUNTS_TTL = 0.0  # what ALUR_INBOX_COUNTS_TTL=0 sets at start-up
    try:
        assert api.inbox("verifikator")["counts"] == {"uji_dua_lajur": 2}
    finally:
        inbox.COUNTS_TTL = float(app.config["INBOX_COUNTS_TTL"])


def test_the_ttl_setting_reaches_the_inbox(database_url, tmp_path):
    from engine.services import inbox
    from web.app import create_app

    try:
        application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "VAR_DIR": str(tmp_path),
                                  "INBOX_COUNTS_TTL": "0"})
        assert inbox.COUNTS_TTL == 0.0
        application.extensions["alur_db"].dispose()
    finally:
        inbox.COUNTS_TTL = 5.0
