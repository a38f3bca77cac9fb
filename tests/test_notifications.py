"""Notifications against a real SMTP server on loopback (aiosmtpd): a registration-style diagram tells the
applicant of approval or rejection with the reason; a server that refuses, then accepts, gets the message
once; bad addresses are listed for sekretariat; staff hear of tasks in the app, with unread counts, by
e-mail or in a daily digest."""
from __future__ import annotations

import re
import ssl
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import trustme
from sqlalchemy import select, update

from conftest import BPMN
from engine import clock
from engine.models import OutboxMessage, User
from receivers import SmtpSink, free_port
from test_webhooks import deliver_until_idle, rows

SMTP_PORT = free_port()
SMTPS_PORT = free_port()
APPLICANT = {"nama_perusahaan": "CV Maju Jaya", "email_pemohon": "direktur@majujaya.co.id",
             "nik": "3572010101010001", "npwp": "012345678901000"}


@pytest.fixture
def smtp(app):
    sink = SmtpSink(SMTP_PORT).start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=SMTP_PORT, SMTP_SECURITY="none", DELIVERY_TIMEOUT_SECONDS=5)
    yield sink
    sink.stop()


def set_email(db, username: str, email: str | None) -> None:
    with db.unit_of_work() as session:
        session.execute(update(User).where(User.username == username).values(email=email))


def register_and_decide(api, data: dict, decision: dict) -> dict:
    case = api.start("uji_pendaftaran", data)
    task = next(t for t in api.inbox("verifikator")["items"] if t["instance_id"] == case["id"])
    return api.complete(task["id"], decision, as_="verifikator")


def emails(db) -> list[OutboxMessage]:
    return rows(db, channel="email")


def test_the_applicant_receives_the_approval_and_the_rejection_with_its_reason(app, api, db, smtp):
    api.deploy(BPMN / "notifikasi.bpmn")
    set_email(db, "kepala", "kepala@lpse.blitarkota.go.id")
    approved = register_and_decide(api, APPLICANT, {"disetujui": True})
    rejected = register_and_decide(api, {**APPLICANT, "email_pemohon": "admin@sinarabadi.co.id",
                                         "nama_perusahaan": "PT Sinar Abadi"},
                                   {"disetujui": False, "alasan": "NIB tidak valid; NIK 3572010101010001 tidak cocok"})
    assert approved["state"] == rejected["state"] == "completed"
    assert approved["data"]["notifikasi"] == {"template": "registrasi_disetujui", "in_app": 0, "emails": 1,
                                              "failed": 0}
    deliver_until_idle(app)
    received = {tuple(rcpt): message for _sender, rcpt, message, _auth, _tls in smtp.messages}
    assert set(received) == {("direktur@majujaya.co.id",), ("admin@sinarabadi.co.id",),
                             ("kepala@lpse.blitarkota.go.id",)}

    yes = received[("direktur@majujaya.co.id",)]
    assert yes["Subject"] == "Pendaftaran CV Maju Jaya disetujui"
    assert yes["To"] == "direktur@majujaya.co.id" and yes["From"] == app.config["SMTP_FROM"]
    assert "DISETUJUI" in yes.get_content() and "APPROVED" in yes.get_content()

    no = received[("admin@sinarabadi.co.id",)]
    assert no["Subject"] == "Pendaftaran PT Sinar Abadi ditolak"
    text = no.get_content()
    assert "Alasan: NIB tidak valid; NIK 3572********0001 tidak cocok" in text
    assert "Reason: NIB tidak valid" in text
    assert "3572010101010001" not in text  # personal numbers masked, even in the reason a person typed
    # The head, named by role, hears of the rejection too, addressed by name.
    head = received[("kepala@lpse.blitarkota.go.id",)]
    assert head["Subject"] == "Pendaftaran PT Sinar Abadi ditolak" and "Yth. Uji kepala" in head.get_content()
    assert {m.state for m in emails(db)} == {"delivered"}
    # The case journal records that the notification went out, without addresses.
    events = api.call("GET", f"/api/v1/process-instances/{rejected['id']}/events", as_="auditor",
                      expect=200).get_json()
    sent = [e for e in events["items"] if e["type"] == "notification.sent"]
    assert sent[0]["data"] == {"template": "registrasi_ditolak", "in_app": 1, "emails": 2, "failed": 0}


def test_starttls_and_credentials_from_the_configuration(app, api, db, tmp_path):
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login, auth_data.password) == (b"alur@lpse", b"rahasia-smtp")
        logins.append(ok)
        return AuthResult(success=ok, handled=False)

    sink = SmtpSink(SMTPS_PORT, tls_context=server_context, require_starttls=True, auth_required=True,
                    auth_require_tls=True, authenticator=authenticator, auth_exclude_mechanism=["LOGIN"]).start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=SMTPS_PORT, SMTP_SECURITY="starttls",
                          SMTP_USERNAME="alur@lpse", SMTP_PASSWORD="salah", SMTP_CA_FILE=str(ca_file))
        api.deploy(BPMN / "notifikasi.bpmn")
        register_and_decide(api, APPLICANT, {"disetujui": True})
        deliver_until_idle(app)
        [mail] = emails(db)
        assert mail.state == "pending" and mail.last_status == 535 and sink.messages == [], mail.last_error

        app.config["SMTP_PASSWORD"] = "rahasia-smtp"
        clock.advance(timedelta(minutes=1))
        deliver_until_idle(app)
        [(_sender, rcpt, message, authenticated, tls)] = sink.messages
        assert rcpt == ["direktur@majujaya.co.id"] and authenticated and tls
        assert logins == [False, True] and emails(db)[0].state == "delivered"
    finally:
        sink.stop()


def test_credentials_are_never_sent_without_tls(app, api, db, smtp):
    app.config.update(SMTP_USERNAME="alur@lpse", SMTP_PASSWORD="rahasia-smtp")  # with SMTP_SECURITY=none
    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, APPLICANT, {"disetujui": True})
    deliver_until_idle(app)
    [mail] = emails(db)
    assert mail.state == "pending" and "without TLS" in mail.last_error and smtp.messages == []


def test_a_server_that_refuses_then_accepts_gets_the_message_once(app, api, db, smtp):
    smtp.refuse = "451 4.3.0 Mailbox temporarily unavailable"
    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, APPLICANT, {"disetujui": False, "alasan": "Dokumen tidak lengkap"})
    for minutes in (0, 1, 10):
        clock.advance(timedelta(minutes=minutes))
        deliver_until_idle(app)
    [mail] = emails(db)
    assert mail.state == "pending" and mail.attempts == 3 and mail.last_status == 451
    retrying = api.call("GET", "/api/v1/notifications/failures?retrying=true", as_="sekretariat",
                        expect=200).get_json()["items"]
    assert [(f["recipient"], f["last_status"]) for f in retrying] == [("direktur@majujaya.co.id", 451)]
    smtp.refuse = None
    clock.advance(timedelta(hours=1))
    deliver_until_idle(app)
    assert len(smtp.messages) == 1 and emails(db)[0].state == "delivered"
    assert "Dokumen tidak lengkap" in smtp.messages[0][2].get_content()


def test_bad_and_refused_addresses_are_listed_for_sekretariat_and_never_block_the_case(app, api, db, smtp):
    smtp.refuse_rcpt["tidakada@majujaya.co.id"] = "550 5.1.1 No such user"
    api.deploy(BPMN / "notifikasi.bpmn")
    malformed = register_and_decide(api, {**APPLICANT, "email_pemohon": "bukan alamat"}, {"disetujui": True})
    refused = register_and_decide(api, {**APPLICANT, "email_pemohon": "tidakada@majujaya.co.id"},
                                  {"disetujui": True})
    assert malformed["state"] == refused["state"] == "completed"
    deliver_until_idle(app)
    failures = api.call("GET", "/api/v1/notifications/failures", as_="sekretariat", expect=200).get_json()["items"]
    by_case = {f["instance_id"]: f for f in failures}
    assert "invalid e-mail address" in by_case[malformed["id"]]["error"]
    assert by_case[refused["id"]]["recipient"] == "tidakada@majujaya.co.id"
    assert by_case[refused["id"]]["last_status"] == 550 and by_case[refused["id"]]["attempts"] == 1
    api.call("GET", "/api/v1/notifications/failures", as_="penyedia", expect=403)

    # Sekretariat corrects the address and sends again; the message reaches the new address.
    fixed = api.call("POST", f"/api/v1/notifications/failures/{by_case[refused['id']]['id']}/resend",
                     as_="sekretariat", expect=202, json={"recipient": "direktur@majujaya.co.id"}).get_json()
    assert fixed["state"] == "pending"
    deliver_until_idle(app)
    assert [rcpt for _s, rcpt, *_ in smtp.messages] == [["direktur@majujaya.co.id"]]
    api.call("POST", f"/api/v1/notifications/failures/{by_case[malformed['id']]['id']}/resend", as_="sekretariat",
             expect=422, json={"recipient": "masih salah"})


def test_tasks_landing_in_an_inbox_notify_the_lane_in_the_app_with_unread_counts(app, api, db, smtp):
    set_email(db, "verifikator", "verifikator@lpse.blitarkota.go.id")
    api.deploy(BPMN / "two_lanes.bpmn")
    first = api.start("uji_dua_lajur")
    second = api.start("uji_dua_lajur")
    # The supplier's own tasks land with the supplier (the initiator), in the app.
    unread = api.call("GET", "/api/v1/notifications/unread-count", as_="penyedia", expect=200).get_json()
    assert unread == {"unread": 2}
    for case in (first, second):
        api.complete(case["tasks"][0]["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    listed = api.call("GET", "/api/v1/notifications", as_="verifikator", expect=200).get_json()
    assert listed["unread"] == 2 and [n["kind"] for n in listed["items"]] == ["tugas", "tugas"]
    assert listed["items"][0]["title"] == f"Tugas baru: Periksa permohonan (kasus {second['id']})"
    assert listed["items"][0]["title_en"].startswith("New task: Periksa permohonan")
    assert api.call("GET", "/api/v1/notifications/unread-count", as_="kepala", expect=200).get_json()["unread"] == 0

    api.call("POST", f"/api/v1/notifications/{listed['items'][0]['id']}/read", as_="verifikator", expect=200)
    assert api.call("GET", "/api/v1/notifications?unread=true", as_="verifikator",
                    expect=200).get_json()["unread"] == 1
    api.call("POST", f"/api/v1/notifications/{listed['items'][1]['id']}/read", as_="penyedia", expect=404)
    assert api.call("POST", "/api/v1/notifications/read-all", as_="verifikator", expect=200).get_json() == {
        "updated": 1}
    assert api.call("GET", "/api/v1/notifications/unread-count", as_="verifikator",
                    expect=200).get_json()["unread"] == 0
    # One e-mail per task for the verifikator, who has an address and kept the default.
    deliver_until_idle(app)
    subjects = sorted(m[2]["Subject"] for m in smtp.messages)
    assert subjects == [f"Tugas baru: Periksa permohonan (kasus {first['id']})",
                        f"Tugas baru: Periksa permohonan (kasus {second['id']})"]


def test_staff_may_choose_a_daily_digest_instead_of_one_email_per_task(app, api, db, smtp):
    from notifications import digest

    set_email(db, "verifikator", "verifikator@lpse.blitarkota.go.id")
    jakarta = ZoneInfo("Asia/Jakarta")
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=jakarta).astimezone(timezone.utc))
    settings = api.call("PUT", "/api/v1/notifications/settings", as_="verifikator", expect=200,
                        json={"task_email": "digest"}).get_json()
    assert settings["task_email"] == "digest"
    api.call("PUT", "/api/v1/notifications/settings", as_="verifikator", expect=422, json={"task_email": "hourly"})
    api.deploy(BPMN / "two_lanes.bpmn")
    for _ in range(3):
        case = api.start("uji_dua_lajur")
        api.complete(case["tasks"][0]["id"], {}, as_="penyedia")
    deliver_until_idle(app)
    assert smtp.messages == []  # no e-mail per task
    assert digest.run_due(db, app.config) == 1  # 09:00 is past today's 07:00: the first digest goes now
    assert digest.run_due(db, app.config) == 0  # and only once
    deliver_until_idle(app)
    [(_s, rcpt, message, *_)] = smtp.messages
    assert rcpt == ["verifikator@lpse.blitarkota.go.id"]
    assert message["Subject"] == "Ringkasan harian Alur: 3 tugas baru"
    assert message.get_content().count("Tugas baru: Periksa permohonan") == 3

    case = api.start("uji_dua_lajur")
    api.complete(case["tasks"][0]["id"], {}, as_="penyedia")
    clock.freeze(datetime(2026, 3, 3, 6, 59, tzinfo=jakarta).astimezone(timezone.utc))
    assert digest.run_due(db, app.config) == 0  # not before 07:00 the next day
    clock.freeze(datetime(2026, 3, 3, 7, 0, tzinfo=jakarta).astimezone(timezone.utc))
    assert digest.run_due(db, app.config) == 1
    deliver_until_idle(app)
    assert smtp.messages[-1][2]["Subject"] == "Ringkasan harian Alur: 1 tugas baru"


def test_templates_are_edited_without_code_and_checked_before_they_are_saved(app, api, db, smtp):
    listed = api.call("GET", "/api/v1/notification-templates", as_="sekretariat", expect=200).get_json()["items"]
    names = {t["name"]: t["source"] for t in listed}
    assert {"registrasi_disetujui", "registrasi_ditolak", "tugas_baru", "ringkasan_harian"} <= set(names)
    assert names["registrasi_ditolak"] == "file"

    broken = {"subject": "Ditolak {{ nama_perusahaan ", "body": "x", "subject_en": "y", "body_en": "z"}
    r = api.call("PUT", "/api/v1/notification-templates/registrasi_ditolak", as_="sekretariat", expect=422,
                 json=broken).get_json()
    assert "subject" in r["errors"] and "line 1" in r["errors"]["subject"][0]
    unsafe = {"subject": "{{ ''.__class__.__mro__ }}", "body": "x", "subject_en": "y", "body_en": "z"}
    assert "subject" in api.call("PUT", "/api/v1/notification-templates/registrasi_ditolak", as_="sekretariat",
                                 expect=422, json=unsafe).get_json()["errors"]
    api.call("PUT", "/api/v1/notification-templates/registrasi_ditolak", as_="penyedia", expect=403, json=broken)

    edited = {"subject": "Mohon maaf, {{ nama_perusahaan }}", "body": "Alasan penolakan: {{ alasan }}. NIK {{ nik }}",
              "subject_en": "We are sorry, {{ nama_perusahaan }}", "body_en": "Reason: {{ alasan }}"}
    saved = api.call("PUT", "/api/v1/notification-templates/registrasi_ditolak", as_="sekretariat", expect=200,
                     json=edited).get_json()
    assert saved["source"] == "database"
    shown = api.call("POST", "/api/v1/notification-templates/registrasi_ditolak/preview", as_="sekretariat",
                     expect=200, json={"data": {"nama_perusahaan": "CV Contoh", "alasan": "x",
                                                "nik": "3572010101010001"}}).get_json()
    assert shown["subject"] == "Mohon maaf, CV Contoh" and shown["body"] == "Alasan penolakan: x. NIK 3572********0001"

    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, APPLICANT, {"disetujui": False, "alasan": "Akta tidak sesuai"})
    deliver_until_idle(app)
    [(_s, _r, message, *_)] = smtp.messages
    assert message["Subject"] == "Mohon maaf, CV Maju Jaya"
    assert "Alasan penolakan: Akta tidak sesuai. NIK 3572********0001" in message.get_content()

    api.call("DELETE", "/api/v1/notification-templates/registrasi_ditolak", as_="sekretariat", expect=204)
    assert api.call("GET", "/api/v1/notification-templates/registrasi_ditolak", as_="sekretariat",
                    expect=200).get_json()["source"] == "file"


def test_a_missing_template_is_recorded_and_the_case_goes_on(app, api, db, smtp, tmp_path):
    app.config["NOTIFICATION_TEMPLATE_DIR"] = str(tmp_path / "kosong")
    api.deploy(BPMN / "notifikasi.bpmn")
    case = register_and_decide(api, APPLICANT, {"disetujui": True})
    assert case["state"] == "completed"
    failures = api.call("GET", "/api/v1/notifications/failures", as_="sekretariat", expect=200).get_json()["items"]
    # Both the diagram's message and the "new task" notice of the verification step are recorded.
    assert sorted(re.search(r'"(\w+)"', f["error"]).group(1) for f in failures) == ["registrasi_disetujui",
                                                                                     "tugas_baru"]
    assert {f["instance_id"] for f in failures} == {case["id"]}


def test_without_an_smtp_host_mail_is_kept_in_a_folder_for_developers(app, api, db, tmp_path):
    app.config.update(SMTP_HOST="", MAIL_DIR=str(tmp_path / "mail"))
    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, APPLICANT, {"disetujui": False, "alasan": "Berkas kurang"})
    deliver_until_idle(app)
    [path] = list((tmp_path / "mail").glob("*.eml"))
    content = path.read_text()
    assert "To: direktur@majujaya.co.id" in content and "Berkas kurang" in content
    assert re.search(r"Subject: Pendaftaran CV Maju Jaya ditolak", content)
    assert {m.state for m in emails(db)} == {"delivered"}


def test_the_lane_hears_once_when_a_task_passes_its_service_level(app, api, db, smtp):
    from notifications import overdue

    set_email(db, "verifikator", "verifikator@lpse.blitarkota.go.id")
    api.call("PUT", "/api/v1/notifications/settings", as_="verifikator", expect=200, json={"task_email": "off"})
    api.deploy(BPMN / "sla.bpmn")
    case = api.start("uji_batas_waktu")
    api.complete(case["tasks"][0]["id"], {}, as_="penyedia")
    assert overdue.run_due(db, app.config, force=True) == 0  # due in two hours
    clock.advance(timedelta(hours=2, minutes=1))
    assert overdue.run_due(db, app.config, force=True) == 1
    assert overdue.run_due(db, app.config, force=True) == 0  # once only
    items = api.call("GET", "/api/v1/notifications", as_="verifikator", expect=200).get_json()["items"]
    assert [n["kind"] for n in items] == ["terlambat", "tugas"]
    assert items[0]["title"] == f"Melewati batas waktu: Periksa permohonan (kasus {case['id']})"
    deliver_until_idle(app)
    assert smtp.messages == []  # the verifikator chose the app only
