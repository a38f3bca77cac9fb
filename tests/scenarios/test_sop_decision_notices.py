"""Each SOP step that tells a person of a decision sends it with its own editable template: the server-room
access decision (``akses_diputuskan``), the deactivation of an account (``akun_dinonaktifkan``), the handled
incident (``insiden_dikonfirmasi``) and the maintenance notice (``pemberitahuan_pemeliharaan``). Checked where
it arrives: the in-app list of the recipient and the e-mail received by a real SMTP server on loopback."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from test_notifications import set_email, smtp  # noqa: F401 - fixture
from test_webhooks import deliver_until_idle

from engine import clock
from engine.models import User
from engine.models.notification import Notification

from .test_sop_a_penonaktifan import ajukan, klarifikasi, terlapor, usulkan  # noqa: F401 - fixture
from .test_sop_c_penanganan import CATAT, SELESAI
from .test_sop_d_pemeliharaan import PERIKSA, PERMOHONAN


def _mail_to(sink, address: str) -> list:
    return [m for _s, rcpt, m, *_ in sink.messages if rcpt == [address]]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _in_app(sop, role: str, case_id: int, kind: str = "pesan") -> list[dict]:
    """The notices (not the new-task messages) of the case in the in-app list of ``role``'s account."""
    items = sop.api.call("GET", "/api/v1/notifications", as_=role, expect=200).get_json()["items"]
    return [n for n in items if n["instance_id"] == case_id and n["kind"] == kind]


def _visit(sop, diizinkan: bool, alasan: str) -> int:
    case = sop.start("akses_ruang_server", as_="sekretariat")
    sop.do(case["id"], "permohonan", "sekretariat", {**PERMOHONAN, "email_pengunjung": "joko@vendor.example"})
    sop.do(case["id"], "periksa", "admin_sistem", PERIKSA)
    sop.do(case["id"], "izin", "kepala", {"diizinkan": diizinkan, "alasan_izin": alasan})
    return case["id"]


def test_a_permitted_visit_tells_the_visitor_and_the_desk_with_akses_diputuskan(sop, app, smtp):  # noqa: F811
    case_id = _visit(sop, True, "Didampingi admin sistem")
    deliver_until_idle(app)
    [mail] = _mail_to(smtp, "joko@vendor.example")
    assert mail["Subject"] == "Permohonan akses ruang server disetujui"
    assert f"(kasus {case_id}) DISETUJUI" in _text(mail) and "Catatan: Didampingi admin sistem" in _text(mail)
    [desk] = _in_app(sop, "sekretariat", case_id)
    assert desk["title"] == "Permohonan akses ruang server disetujui" and "Didampingi admin sistem" in desk["body"]
    assert "dampingi" in [t["element_id"] for t in sop.case(case_id)["tasks"]]  # the visit goes on


def test_a_refused_visit_tells_the_visitor_why_with_akses_diputuskan(sop, app, smtp):  # noqa: F811
    case_id = _visit(sop, False, "Tanpa surat tugas")
    deliver_until_idle(app)
    [mail] = _mail_to(smtp, "joko@vendor.example")
    assert mail["Subject"] == "Permohonan akses ruang server ditolak"
    assert "DITOLAK" in _text(mail) and "Catatan: Tanpa surat tugas" in _text(mail)
    assert "REFUSED" in _text(mail)  # the English version follows
    [desk] = _in_app(sop, "sekretariat", case_id)
    assert desk["title"] == "Permohonan akses ruang server ditolak" and "Tanpa surat tugas" in desk["body"]
    assert sop.case(case_id)["state"] == "completed"


def test_the_holder_of_a_deactivated_account_is_told_why_with_akun_dinonaktifkan(sop, app, db, smtp,  # noqa: F811
                                                                                 terlapor):  # noqa: F811
    set_email(db, terlapor, "direksi@cvnakal.example")
    case_id = ajukan(sop)
    klarifikasi(sop, case_id)
    usulkan(sop, case_id)
    sop.message(case_id, "jawaban_lkpp", {"disetujui": True, "catatan": "Nomor tiket LKPP 4411."})
    deliver_until_idle(app)
    # The account can no longer sign in, yet its holder hears of it at the account's address.
    [mail] = _mail_to(smtp, "direksi@cvnakal.example")
    assert mail["Subject"] == "Akun SPSE cvnakal dinonaktifkan"
    text = _text(mail)
    assert "Yth. CV Nakal" in text and "Alasan: Mengunggah dokumen penawaran palsu pada tender 12345." in text
    assert "Nomor tiket LKPP 4411." in text and f"kasus {case_id}" in text
    with db.reader() as session:
        holder = session.scalar(select(User.id).where(User.username == terlapor))
        rows = session.scalars(select(Notification).where(Notification.user_id == holder,
                                                          Notification.instance_id == case_id)).all()
    assert [r.title for r in rows] == ["Akun SPSE cvnakal dinonaktifkan"]
    # The complainant (the pengguna who reported it) is told in the app with the same notice.
    [told] = _in_app(sop, "pengguna", case_id)
    assert told["title"] == "Akun SPSE cvnakal dinonaktifkan" and "4411" in told["body"]
    assert not [f for f in sop.api.call("GET", "/api/v1/notifications/failures", as_="sekretariat",
                                        expect=200).get_json()["items"] if f["instance_id"] == case_id]


def test_a_resolved_incident_is_confirmed_to_its_reporter_with_insiden_dikonfirmasi(sop, app, smtp):  # noqa: F811
    case = sop.start("penanganan_masalah", as_="layanan")
    sop.do(case["id"], "catat", "layanan", {**CATAT, "kontak_pelapor": "pokja3@blitarkab.example",
                                             "urgensi": "rendah", "dampak": "sedang"})
    sop.do(case["id"], "tangani", "admin_sistem", SELESAI)
    assert _in_app(sop, "pengguna", case["id"]) == []  # told only once the reporter has confirmed
    sop.do(case["id"], "konfirmasi", "layanan", {"pelapor_puas": True})
    deliver_until_idle(app)
    [mail] = _mail_to(smtp, "pokja3@blitarkab.example")
    assert mail["Subject"] == f"Laporan gangguan {case['id']} selesai ditangani"
    text = _text(mail)
    assert '("Halaman unggah penawaran tidak dapat diakses")' in text
    assert "Penyelesaian: Layanan aplikasi dijalankan ulang" in text and "Resolution:" in text
    [told] = _in_app(sop, "pengguna", case["id"])  # the reporter's account (user_id_pelapor)
    assert told["title"] == mail["Subject"] and "Layanan aplikasi dijalankan ulang" in told["body"]


PLAN = {"judul": "Pembaruan kernel server SPSE", "uraian_pemeliharaan": "Pasang pembaruan keamanan",
        "perangkat_dipelihara": "srv-spse-01", "mulai": "2026-11-28T22:00:00", "selesai": "2026-11-28T23:59:00",
        "dampak_layanan": "SPSE tidak dapat diakses selama 2 jam"}


def test_users_are_told_of_maintenance_before_it_starts_with_pemberitahuan_pemeliharaan(sop, app, db,  # noqa: F811
                                                                                         smtp):  # noqa: F811
    clock.freeze(datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))  # 09:00 WIB, two days ahead
    set_email(db, "penyedia", "cv.contoh@example.id")
    case = sop.start("pemeliharaan_server", as_="admin_sistem")
    sop.do(case["id"], "rencana", "admin_sistem", PLAN)
    sop.do(case["id"], "setujui", "kepala", {"disetujui": True})
    deliver_until_idle(app)
    subject = "Pemeliharaan SPSE: 28 November 2026 pukul 22.00 WIB"
    [mail] = _mail_to(smtp, "cv.contoh@example.id")
    assert mail["Subject"] == subject
    text = _text(mail)
    assert "mulai 28 November 2026 pukul 22.00 WIB hingga 28 November 2026 pukul 23.59 WIB" in text
    assert "Pasang pembaruan keamanan" in text and "Dampak: SPSE tidak dapat diakses selama 2 jam" in text
    start = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
    for role in ("penyedia", "pengguna"):  # suppliers and the other SPSE users, in the app
        [told] = _in_app(sop, role, case["id"])
        assert told["title"] == subject and datetime.fromisoformat(told["created_at"]) < start
    assert _in_app(sop, "sekretariat", case["id"]) == []  # staff are not the audience
    # Besides the public announcement, which is still there.
    assert [a["title"] for a in sop.api.client.get("/api/v1/announcements").get_json()["items"]] == [
        "Pemeliharaan: Pembaruan kernel server SPSE"]


def test_maintenance_the_head_refuses_tells_no_user(sop, app, db, smtp):  # noqa: F811
    set_email(db, "penyedia", "cv.contoh@example.id")
    case = sop.start("pemeliharaan_server", as_="admin_sistem")
    later = clock.now() + timedelta(days=3)
    sop.do(case["id"], "rencana", "admin_sistem", {**PLAN, "mulai": later.isoformat(),
                                                   "selesai": (later + timedelta(hours=2)).isoformat()})
    sop.do(case["id"], "setujui", "kepala", {"disetujui": False, "catatan_kepala": "Tunda"})
    deliver_until_idle(app)
    assert _in_app(sop, "penyedia", case["id"]) == [] and _in_app(sop, "pengguna", case["id"]) == []
    assert _mail_to(smtp, "cv.contoh@example.id") == []
