"""SOP (b), user service: tickets from any channel with escalation up to LKPP and reopening; training with
registration, quota, attendance and certificates; bidding-room booking; feedback; announcements."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine import clock
from engine.services import timers

TIKET = {"saluran": "web", "nama": "CV Maju Jaya", "kontak": "0812 3456 7890", "jenis": "konsultasi",
         "uraian": "Bagaimana cara mengunggah dokumen kualifikasi?"}


def test_a_supplier_question_is_answered_by_the_helpdesk_and_rated(sop):
    case = sop.start("tiket_layanan", as_="penyedia")
    sop.do(case["id"], "tulis", "penyedia", TIKET)
    sop.do(case["id"], "tangani", "layanan", {"jawaban": "Lihat menu Data Penyedia > Kualifikasi.",
                                               "hasil": "selesai"})
    assert "Kualifikasi" in sop.of_type(case["id"], "pemberitahuan")[0]["data"]["pesan"]
    done = sop.do(case["id"], "konfirmasi", "penyedia", {"puas": True, "nilai": 5})
    assert done["state"] == "completed"
    closed = [e["data"] for e in sop.of_type(case["id"], "tiket.status")]
    assert [c["status"] for c in closed] == ["dibuka", "selesai"] and closed[-1]["durasi_jam"] >= 0


def test_a_phone_complaint_escalates_to_the_administrator_then_lkpp_and_is_reopened_once(sop):
    case = sop.start("tiket_layanan", as_="layanan")  # the helpdesk records a phone call
    sop.do(case["id"], "tulis", "layanan", {**TIKET, "saluran": "telepon", "jenis": "keluhan",
                                            "uraian": "Fitur e-purchasing tidak muncul"})
    sop.do(case["id"], "tangani", "layanan", {"jawaban": "Diteruskan ke admin", "hasil": "eskalasi_admin"})
    sop.do(case["id"], "tangani_admin", "admin_sistem", {"jawaban": "Fitur dari LKPP", "hasil": "teruskan_lkpp"})
    assert [m["data"]["message"] for m in sop.of_type(case["id"], "message.sent")] == ["permohonan_lkpp"]
    sop.message(case["id"], "jawaban_lkpp", {"jawaban": "Aktif pada versi berikutnya"}, as_="admin_sistem")
    assert "versi berikutnya" in sop.of_type(case["id"], "pemberitahuan")[-1]["data"]["pesan"]
    sop.do(case["id"], "konfirmasi", "layanan", {"puas": False, "nilai": 2, "saran": "Terlalu lama"})
    sop.do(case["id"], "tangani", "layanan", {"jawaban": "Gunakan katalog lokal sementara", "hasil":
                                              "eskalasi_verifikator"})
    sop.do(case["id"], "tangani_verifikator", "verifikator", {"jawaban": "Akun katalog diaktifkan",
                                                               "hasil": "selesai"})
    done = sop.do(case["id"], "konfirmasi", "layanan", {"puas": True, "nilai": 4})
    assert done["state"] == "completed"


JADWAL = {"judul": "Pelatihan SPSE bagi penyedia", "sasaran": "penyedia", "tanggal": "2026-12-10", "jam_mulai": "09:00",
          "tempat": "Ruang pelatihan LPSE", "kuota": 2, "batas_pendaftaran": "2026-12-08T16:00:00",
          "pengajar": "Rina"}


def daftar(sop, pelatihan_id: int, email: str, as_: str = "penyedia") -> dict:
    case = sop.start("pendaftaran_pelatihan", as_=as_)
    done = sop.do(case["id"], "daftar", as_, {"pelatihan_id": pelatihan_id, "nama": email.split("@")[0],
                                              "email": email, "instansi": "CV Maju", "telepon": "081234567890"})
    assert done["state"] == "completed"
    return done["data"]["pendaftaran"]


def test_training_registration_quota_attendance_and_numbered_certificates(sop, db, app, api):
    clock.freeze(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc))
    case = sop.start("pelatihan", as_="layanan")
    sop.do(case["id"], "jadwalkan", "layanan", JADWAL)
    training = sop.case(case["id"])["data"]["pelatihan"]["id"]
    assert [a["title"] for a in api.client.get("/api/v1/announcements").get_json()["items"]] == [
        "Pelatihan: Pelatihan SPSE bagi penyedia"]
    assert daftar(sop, training, "a@example.id")["diterima"]
    assert daftar(sop, training, "a@example.id", as_="pengguna")["alasan"].startswith("Email ini sudah terdaftar")
    assert daftar(sop, training, "b@example.id", as_="pengguna")["diterima"]
    assert daftar(sop, training, "c@example.id")["alasan"].startswith("Kuota penuh")
    clock.advance(timedelta(days=8))  # past the closing time
    assert timers.run_due(db, app.config) == 1
    assert daftar(sop, training, "d@example.id")["alasan"].startswith("Pendaftaran sudah ditutup")
    listed = sop.case(case["id"])["data"]["peserta"]
    assert [p["nama"] for p in listed] == ["a", "b"]
    done = sop.do(case["id"], "kehadiran", "layanan", {"hadir": [listed[0]["id"]]})
    assert done["state"] == "completed"
    certificates = done["data"]["sertifikat"]
    assert [c["nomor"] for c in certificates] == ["001/SERT/LPSE/XII/2026"]
    assert sop.download(certificates[0]["dokumen_id"]).startswith(b"%PDF")


BOOKING = {"tanggal": "2026-12-15", "jam_mulai": "09:00", "jam_selesai": "11:00", "keperluan": "Unggah penawaran",
           "kode_tender": "10012026", "perangkat": [{"nama": "Laptop", "nomor_seri": "LP-9"}]}


def test_the_bidding_room_is_booked_used_and_a_clashing_request_is_refused(sop):
    first = sop.start("pemesanan_ruang", as_="penyedia")
    sop.do(first["id"], "ajukan", "penyedia", BOOKING)
    sop.do(first["id"], "setujui", "layanan", {"disetujui": True})
    assert sop.of_type(first["id"], "ruang.dipesan")
    clash = sop.start("pemesanan_ruang", as_="pengguna")
    done = sop.do(clash["id"], "ajukan", "pengguna", {**BOOKING, "jam_mulai": "10:00", "jam_selesai": "12:00"})
    assert done["state"] == "completed" and done["data"]["ketersediaan"]["bentrok"][0]["kasus"] == first["id"]
    assert "tidak dapat" in sop.of_type(clash["id"], "pemberitahuan")[0]["data"]["perihal"]
    done = sop.do(first["id"], "catat_penggunaan", "layanan", {"jam_masuk": "09:05", "jam_keluar": "10:40",
                                                                "perangkat_digunakan": BOOKING["perangkat"]})
    assert done["state"] == "completed"
    assert sop.of_type(first["id"], "ruang.digunakan")[0]["data"]["perangkat"] == ["LP-9"]


def test_a_booking_the_helpdesk_refuses_is_answered(sop):
    case = sop.start("pemesanan_ruang", as_="penyedia")
    bad = sop.do(case["id"], "ajukan", "penyedia", {**BOOKING, "jam_selesai": "08:00"}, expect=422)
    assert "jam_selesai" in bad["errors"]
    sop.do(case["id"], "ajukan", "penyedia", BOOKING)
    done = sop.do(case["id"], "setujui", "layanan", {"disetujui": False, "catatan": "Ruang dipakai verifikasi"})
    assert done["state"] == "completed" and "catat_penggunaan" not in done["elements"]


def test_feedback_is_followed_up_and_answered(sop):
    case = sop.start("masukan_layanan", as_="penyedia")
    sop.do(case["id"], "tulis", "penyedia", {"nilai": 3, "aspek": "helpdesk", "saran": "Jam layanan diperpanjang"})
    done = sop.do(case["id"], "tindak_lanjuti", "sekretariat", {"tindak_lanjut": "Helpdesk buka sampai 16.00"})
    assert done["state"] == "completed"
    assert sop.of_type(case["id"], "pemberitahuan")[0]["data"]["kepada"] == ["penyedia"]


def test_an_announcement_is_published_only_when_the_head_approves(sop, api):
    text = {"jenis_pengumuman": "gangguan", "judul": "Akses SPSE lambat", "isi": "Gangguan jaringan penyedia internet"}
    refused = sop.start("pengumuman_layanan", as_="layanan")
    sop.do(refused["id"], "susun", "layanan", text)
    sop.do(refused["id"], "setujui", "kepala", {"disetujui": False})
    assert api.client.get("/api/v1/announcements").get_json()["items"] == []
    case = sop.start("pengumuman_layanan", as_="layanan")
    sop.do(case["id"], "susun", "layanan", text)
    done = sop.do(case["id"], "setujui", "kepala", {"disetujui": True})
    assert done["state"] == "completed"
    assert [a["title"] for a in api.client.get("/api/v1/announcements").get_json()["items"]] == ["Akses SPSE lambat"]
