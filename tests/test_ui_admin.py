"""The admin pages through the test client (a browser without JavaScript): webhook subscriptions with the
secret shown once, the delivery log with status code and latency, manual redelivery of a dead letter;
incidents resolved with a reason; long jobs with their progress; each person's notifications with the
unread count in the header and the digest choice; failed e-mails for sekretariat; templates edited in the
app. Every action goes through the real services, the real database and a real receiver on loopback."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from conftest import BPMN, Browserless
from engine import clock, worker
from engine.models import Job, NotificationSetting, User
from test_notifications import APPLICANT, register_and_decide, set_email, smtp  # noqa: F401 - fixture
from test_webhooks import PORT, deliver_until_idle, receiver, rows  # noqa: F401 - fixture

SECRET = re.compile(r'data-testid="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<')


def signed_in(app, username: str) -> Browserless:
    browser = Browserless(app.test_client())
    browser.login(username)
    return browser


@pytest.fixture
def admin(app):
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    return signed_in(app, "admin_sistem")


def _create(admin, url: str, events: str = "*", expect: int = 201) -> str:
    admin.get("/admin/webhook")
    return admin.post("/admin/webhook", {"url": url, "events": events, "description": "SPSE"},
                      expect=expect).get_data(as_text=True)


def test_a_webhook_made_in_the_page_shows_its_secret_once_and_logs_each_delivery(app, api, db, admin, receiver):
    page = _create(admin, receiver.url, "task.created, instance.*")
    secret = SECRET.search(page).group(1)
    assert len(secret) == len("whsec_") + 44
    [endpoint] = api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"]
    assert endpoint["events"] == ["task.created", "instance.*"]
    detail = admin.get(f"/admin/webhook/{endpoint['id']}").get_data(as_text=True)
    listing = admin.get("/admin/webhook").get_data(as_text=True)
    assert secret not in detail and secret not in listing and receiver.url in listing  # never shown again

    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    assert receiver.wait_for(2)
    log = admin.get(f"/admin/webhook/{endpoint['id']}").get_data(as_text=True)
    assert log.count('data-state="delivered"') == 2 and "instance.started" in log and "task.created" in log
    assert re.search(r'data-testid="delivery-status">200<', log)
    assert re.search(r'data-testid="delivery-latency">\d+ ms<', log)
    one = rows(db, endpoint_id=endpoint["id"])[0]
    attempts = admin.get(f"/admin/webhook/{endpoint['id']}/pengiriman/{one.id}").get_data(as_text=True)
    assert one.message_id in attempts and "200" in attempts

    # Rotation shows the new secret once; the old one still signs for a day.
    rotated = admin.post(f"/admin/webhook/{endpoint['id']}/rotasi", expect=200).get_data(as_text=True)
    new_secret = SECRET.search(rotated).group(1)
    assert new_secret != secret and "Rahasia lama tetap ikut menandatangani" in rotated
    # Pause holds new events; resume sends them.
    admin.post(f"/admin/webhook/{endpoint['id']}/jeda", {"reason": "pemeliharaan SPSE"}, expect=302)
    assert 'data-testid="webhook-state">paused<' in admin.get(f"/admin/webhook/{endpoint['id']}").get_data(
        as_text=True)
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    assert len(receiver.received) == 2
    admin.post(f"/admin/webhook/{endpoint['id']}/lanjutkan", expect=302)
    deliver_until_idle(app)
    assert receiver.wait_for(4)
    admin.post(f"/admin/webhook/{endpoint['id']}/hapus", expect=302)
    assert receiver.url not in admin.get("/admin/webhook").get_data(as_text=True)


def test_a_dead_lettered_delivery_is_sent_again_from_the_log(app, api, db, admin, receiver):
    receiver.status = 410  # the receiver says it is gone: dead letter at once, endpoint disabled
    _create(admin, receiver.url, "task.created")
    [endpoint] = api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"]
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    [row] = rows(db, endpoint_id=endpoint["id"])
    assert row.state == "failed"
    page = admin.get(f"/admin/webhook/{endpoint['id']}").get_data(as_text=True)
    assert 'data-testid="webhook-state">disabled<' in page and 'data-action="redeliver"' in page
    assert re.search(r'data-testid="delivery-status">410<', page)
    receiver.status = 200
    admin.post(f"/admin/webhook/{endpoint['id']}/lanjutkan", expect=302)
    admin.post(f"/admin/webhook/{endpoint['id']}/pengiriman/{row.id}/kirim-ulang", expect=302)
    deliver_until_idle(app)
    assert rows(db, endpoint_id=endpoint["id"])[0].state == "delivered"
    assert receiver.ids() == [row.message_id, row.message_id]  # the same webhook-id both times
    # A pending delivery cannot be "sent again" while it is still on its way.
    api.start("uji_dua_lajur")
    pending = [r for r in rows(db, endpoint_id=endpoint["id"]) if r.state == "pending"][0]
    admin.post(f"/admin/webhook/{endpoint['id']}/pengiriman/{pending.id}/kirim-ulang", expect=409)


def test_bad_webhook_input_is_shown_beside_the_field_and_nothing_is_saved(app, api, admin):
    page = _create(admin, "http://10.0.0.5/hook", "bukan jenis!", expect=422)
    assert 'class="field invalid"' in page and "bukan jenis!" in page
    assert api.call("GET", "/api/v1/webhooks", as_="admin_sistem", expect=200).get_json()["items"] == []
    signed_in(app, "kepala").get("/admin/webhook", expect=403)
    admin.post("/bahasa", {"lang": "en", "next": "/admin/webhook"}, expect=302)  # English second
    english = admin.get("/admin/webhook").get_data(as_text=True)
    assert "New subscription" in english and "Create subscription" in english and "Langganan baru" not in english


def test_an_incident_is_resolved_in_the_page_with_a_reason_that_is_journaled(app, api, db, admin):
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    api.complete(case["tasks"][0]["id"], as_="admin_sistem")
    page = admin.get("/admin/insiden").get_data(as_text=True)
    [incident_id] = re.findall(r'data-incident="(\d+)" data-status="open"', page)
    assert 'data-action="retry"' in page and 'data-action="resolve"' in page
    refused = admin.post(f"/admin/insiden/{incident_id}/selesaikan", {"reason": "  "}, expect=422)
    assert "Tulis alasannya" in refused.get_data(as_text=True)
    reader = signed_in(app, "auditor").get("/admin/insiden").get_data(as_text=True)
    assert f'data-incident="{incident_id}"' in reader and 'data-action="resolve"' not in reader  # auditors read
    signed_in(app, "auditor").post(f"/admin/insiden/{incident_id}/selesaikan", {"reason": "x"}, expect=403)

    admin.post(f"/admin/insiden/{incident_id}/selesaikan", {"reason": "Pembagi diperbaiki manual"}, expect=302)
    done = admin.get("/admin/insiden?status=resolved").get_data(as_text=True)
    assert "Pembagi diperbaiki manual" in done and f'data-incident="{incident_id}" data-status="resolved"' in done
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    assert (events["items"][-1]["type"], events["items"][-1]["reason"]) == ("incident.resolved",
                                                                            "Pembagi diperbaiki manual")


def test_long_jobs_started_in_the_page_show_their_progress_to_whoever_started_them(app, api, db, admin, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "cadangan")
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    page = admin.get("/pekerjaan").get_data(as_text=True)
    assert all(k in page for k in ('value="backup.database"', 'value="report.quarterly"', 'value="journal.verify"'))
    ids = []
    for kind, extra in (("journal.verify", {}), ("report.quarterly", {"triwulan": "2026-Q4"}),
                        ("backup.database", {})):
        response = admin.post("/pekerjaan", {"kind": kind, **extra}, expect=302)
        ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    queued = admin.get(f"/pekerjaan/{ids[0]}").get_data(as_text=True)
    assert 'data-testid="job-state">queued<' in queued and 'http-equiv="refresh"' in queued
    admin.post("/pekerjaan", {"kind": "report.quarterly", "triwulan": "kuartal 4"}, expect=422)

    while worker.run_once(db, app.config):
        pass
    with db.reader() as session:
        states = {j.id: (j.state, j.done, j.total, j.error) for j in session.scalars(select(Job))}
    assert [states[i][0] for i in ids] == ["succeeded"] * 3, states
    verified = html.unescape(admin.get(f"/pekerjaan/{ids[0]}").get_data(as_text=True))
    assert '"verified": true' in verified and "100.0%" in verified and 'http-equiv="refresh"' not in verified
    report = admin.get(f"/pekerjaan/{ids[1]}").get_data(as_text=True)
    assert "2026-Q4" in report and "1 / 1" in report
    backup = admin.get(f"/pekerjaan/{ids[2]}").get_data(as_text=True)
    assert "alur-" in backup and "baris_dipulihkan" in backup and "2 / 2" in backup
    assert list((tmp_path / "cadangan").glob("alur-*.tar.gz"))
    # Another person sees neither the job nor its page; supervisors (kepala) see every job.
    other = signed_in(app, "verifikator")
    assert f'data-job="{ids[0]}"' not in other.get("/pekerjaan").get_data(as_text=True)
    other.get(f"/pekerjaan/{ids[0]}", expect=404)
    assert f'data-job="{ids[0]}"' in signed_in(app, "kepala").get("/pekerjaan").get_data(as_text=True)


def test_the_header_counts_unread_notifications_and_staff_choose_a_daily_digest(app, api, db):
    api.deploy(BPMN / "two_lanes.bpmn")
    for _ in range(2):
        case = api.start("uji_dua_lajur")
        api.complete(case["tasks"][0]["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    staff = signed_in(app, "verifikator")
    home = staff.get("/beranda").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count">2<', home)
    page = staff.get("/pemberitahuan").get_data(as_text=True)
    ids = re.findall(r'data-notification="(\d+)" data-read="0"', page)
    assert len(ids) == 2 and "Tugas baru: Periksa permohonan" in page
    staff.post(f"/pemberitahuan/{ids[0]}/baca", expect=302)
    assert re.search(r'data-testid="unread-count">1<', staff.get("/beranda").get_data(as_text=True))
    opened = staff.post(f"/pemberitahuan/{ids[1]}/baca", {"open": "1"}, expect=302)
    assert opened.headers["Location"].startswith("/tugas/")
    assert re.search(r'data-testid="unread-count">0<', staff.get("/beranda").get_data(as_text=True))
    signed_in(app, "kepala").post(f"/pemberitahuan/{ids[0]}/baca", expect=404)  # not theirs

    staff.get("/pemberitahuan")
    staff.post("/pemberitahuan/pengaturan", {"task_email": "digest"}, expect=302)
    assert 'value="digest" checked' in staff.get("/pemberitahuan").get_data(as_text=True)
    with db.reader() as session:
        user_id = session.scalar(select(User.id).where(User.username == "verifikator"))
        assert session.get(NotificationSetting, user_id).task_email == "digest"
    staff.post("/pemberitahuan/pengaturan", {"task_email": "setiap jam"}, expect=422)


def test_sekretariat_sees_and_resends_refused_emails_and_the_case_goes_on(app, api, db, smtp):  # noqa: F811
    smtp.refuse_rcpt["tidakada@majujaya.co.id"] = "550 5.1.1 No such user"
    api.deploy(BPMN / "notifikasi.bpmn")
    case = register_and_decide(api, {**APPLICANT, "email_pemohon": "tidakada@majujaya.co.id"}, {"disetujui": True})
    bad = register_and_decide(api, {**APPLICANT, "email_pemohon": "bukan alamat"}, {"disetujui": True})
    assert case["state"] == bad["state"] == "completed"
    deliver_until_idle(app)
    desk = signed_in(app, "sekretariat")
    page = desk.get("/pemberitahuan/gagal").get_data(as_text=True)
    assert "tidakada@majujaya.co.id" in page and "550" in page and "No such user" in page
    assert "invalid e-mail address" in page
    [refused_id] = [r.id for r in rows(db, channel="email", recipient="tidakada@majujaya.co.id")]
    wrong = desk.post(f"/pemberitahuan/gagal/{refused_id}/kirim-ulang", {"recipient": "masih salah"}, expect=422)
    assert "nama@contoh.go.id" in wrong.get_data(as_text=True) or "name@example.go.id" in wrong.get_data(as_text=True)
    desk.post(f"/pemberitahuan/gagal/{refused_id}/kirim-ulang", {"recipient": "direktur@majujaya.co.id"}, expect=302)
    deliver_until_idle(app)
    assert [rcpt for _s, rcpt, *_ in smtp.messages] == [["direktur@majujaya.co.id"]]
    after = desk.get("/pemberitahuan/gagal").get_data(as_text=True)
    assert f'data-failure="{refused_id}"' not in after
    assert f'data-email="{refused_id}" data-state="delivered"' in after  # the delivery log keeps every e-mail
    signed_in(app, "penyedia").get("/pemberitahuan/gagal", expect=403)
    signed_in(app, "kepala").post(f"/pemberitahuan/gagal/{refused_id}/kirim-ulang", expect=403)  # reads only


def test_templates_are_edited_in_the_page_in_both_languages_and_checked_first(app, api, db):
    editor = signed_in(app, "sekretariat")
    listing = editor.get("/pemberitahuan/templat").get_data(as_text=True)
    assert 'data-template="registrasi_disetujui"' in listing
    page = editor.get("/pemberitahuan/templat/registrasi_disetujui").get_data(as_text=True)
    assert 'data-testid="template-preview"' in page
    parts = {"subject": "Selamat {{ penerima.nama }}", "body": "Kasus {{ kasus.id }} disetujui.",
             "subject_en": "Congratulations {{ penerima.nama }}", "body_en": "Case {{ kasus.id }} approved."}
    broken = editor.post("/pemberitahuan/templat/registrasi_disetujui", {**parts, "body": "{% if %}"}, expect=422)
    assert 'class="field invalid"' in broken.get_data(as_text=True)
    assert api.call("GET", "/api/v1/notification-templates/registrasi_disetujui", as_="sekretariat",
                    expect=200).get_json()["source"] == "file"
    editor.post("/pemberitahuan/templat/registrasi_disetujui", parts, expect=302)
    saved = editor.get("/pemberitahuan/templat/registrasi_disetujui").get_data(as_text=True)
    assert "Selamat Contoh Penerima" in saved and "Congratulations Contoh Penerima" in saved
    assert api.call("GET", "/api/v1/notification-templates/registrasi_disetujui", as_="sekretariat",
                    expect=200).get_json()["subject"] == parts["subject"]
    editor.post("/pemberitahuan/templat/registrasi_disetujui/kembalikan", expect=302)
    assert api.call("GET", "/api/v1/notification-templates/registrasi_disetujui", as_="sekretariat",
                    expect=200).get_json()["source"] == "file"
    reader = signed_in(app, "admin_sistem").get("/pemberitahuan/templat/registrasi_disetujui").get_data(as_text=True)
    assert "readonly" in reader and 'data-testid="template-form"' in reader


def test_in_development_mode_the_kept_mail_is_read_in_the_page(app, api, db, tmp_path):
    app.config.update(SMTP_HOST="", MAIL_DIR=str(tmp_path / "mail"))
    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, APPLICANT, {"disetujui": False, "alasan": "Berkas kurang"})
    deliver_until_idle(app)
    admin = signed_in(app, "admin_sistem")
    listing = admin.get("/admin/surat").get_data(as_text=True)
    [name] = re.findall(r'data-kept="([^"]+)"', listing)
    assert "direktur@majujaya.co.id" in listing and "Pendaftaran CV Maju Jaya ditolak" in listing
    message = admin.get(f"/admin/surat/{name}").get_data(as_text=True)
    assert "Berkas kurang" in message and "-- English --" in message
    admin.get("/admin/surat/..%2F..%2Fetc%2Fpasswd", expect=404)
    admin.get("/admin/surat/20261202T000000-tidak-ada.eml", expect=404)
    signed_in(app, "sekretariat").get("/admin/surat", expect=403)
    app.config["SMTP_HOST"] = "smtp.example.go.id"
    assert 'data-testid="smtp-in-use"' in admin.get("/admin/surat").get_data(as_text=True)


def test_an_open_incident_is_told_to_admin_sistem_in_the_app_and_by_email(app, api, db, smtp):  # noqa: F811
    set_email(db, "admin_sistem", "admin@lpse.blitarkota.go.id")
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    admin = signed_in(app, "admin_sistem")
    before = int(re.search(r'data-testid="unread-count">(\d+)<', admin.get("/beranda").get_data(as_text=True))[1])
    api.complete(case["tasks"][0]["id"], as_="admin_sistem")  # the script divides by zero: an open incident
    after = int(re.search(r'data-testid="unread-count">(\d+)<', admin.get("/beranda").get_data(as_text=True))[1])
    assert after == before + 1
    listed = api.call("GET", "/api/v1/notifications", as_="admin_sistem", expect=200).get_json()["items"]
    assert listed[0]["title"] == f"Eskalasi: kasus {case['id']} (uji_galat)" and "hitung" in listed[0]["body"]
    assert api.call("GET", "/api/v1/notifications/unread-count", as_="kepala", expect=200).get_json()["unread"] == 0
    deliver_until_idle(app)
    subjects = [m[2]["Subject"] for m in smtp.messages if m[1] == ["admin@lpse.blitarkota.go.id"]]
    assert [s for s in subjects if s.startswith("Eskalasi")] == [f"Eskalasi: kasus {case['id']} (uji_galat)"]
