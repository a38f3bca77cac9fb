"""SOP (d): server-room access (permitted and refused) and scheduled maintenance announced publicly
before it starts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine import clock
from engine.services import timers

PERMOHONAN = {"nama_pengunjung": "Joko Teknisi", "jenis_identitas": "ktp", "nomor_identitas": "3572014501900001",
              "instansi": "PT Vendor Server", "keperluan": "Ganti disk RAID", "rencana_masuk": "2026-11-26T09:00:00",
              "perangkat": [{"nama": "Laptop", "nomor_seri": "LP-001"}, {"nama": "Disk 2TB", "nomor_seri": "D-77"}],
              "identitas_dititipkan": True}
PERIKSA = {"suhu_celsius": 21.5, "catu_daya_cadangan_normal": True, "keamanan_fisik_baik": True,
           "rekomendasi": "izinkan"}


def test_a_permitted_visit_is_escorted_recorded_with_devices_and_filed(sop):
    case = sop.start("akses_ruang_server", as_="sekretariat")
    bad = sop.do(case["id"], "permohonan", "sekretariat", {**PERMOHONAN, "identitas_dititipkan": False,
                                                             "nomor_identitas": "1234"}, expect=422)
    assert "identitas_dititipkan" in bad["errors"]
    sop.do(case["id"], "permohonan", "sekretariat", PERMOHONAN)
    sop.do(case["id"], "periksa", "admin_sistem", PERIKSA)
    sop.do(case["id"], "izin", "kepala", {"diizinkan": True, "alasan_izin": "Didampingi admin"})
    sop.do(case["id"], "dampingi", "admin_sistem", {
        "pendamping": "Rina", "waktu_masuk": "2026-11-26T09:10:00", "waktu_keluar": "2026-11-26T10:40:00",
        "kegiatan": "Disk RAID diganti", "identitas_dikembalikan": True,
        "perangkat_keluar": [{"nama": "Laptop", "nomor_seri": "LP-001"}, {"nama": "Disk rusak", "nomor_seri": "D-01"}]})
    form = sop.case(case["id"])["data"]["formulir"]
    assert form["nomor"].startswith("001/KRS/LPSE/") and form["selisih_perangkat"] == ["D-01", "D-77"]
    pdf = sop.download(form["dokumen_id"])
    assert pdf.startswith(b"%PDF")
    done = sop.do(case["id"], "arsipkan", "sekretariat", {"nomor_berkas": "KRS/2026/011", "lokasi_fisik": "Rak 3"})
    assert done["state"] == "completed"
    # The full NIK is kept digits-only in the case but never written into the journal's visit summary.
    visit = sop.of_type(case["id"], "ruang_server.kunjungan")[0]["data"]
    assert "3572014501900001" not in str(visit)


def test_a_refused_visit_ends_with_a_notice(sop):
    case = sop.start("akses_ruang_server", as_="sekretariat")
    sop.do(case["id"], "permohonan", "sekretariat", {**PERMOHONAN, "jenis_identitas": "sim",
                                                      "nomor_identitas": "SIM12345"})
    sop.do(case["id"], "periksa", "admin_sistem", {**PERIKSA, "rekomendasi": "tolak"})
    done = sop.do(case["id"], "izin", "kepala", {"diizinkan": False, "alasan_izin": "Tanpa surat tugas"})
    assert done["state"] == "completed" and "dampingi" not in done["elements"]
    assert "Tanpa surat tugas" in sop.of_type(case["id"], "pemberitahuan")[0]["data"]["pesan"]


def test_maintenance_is_announced_before_it_starts_then_done_and_withdrawn(sop, api, db, app):
    clock.freeze(datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))  # 09:00 WIB
    case = sop.start("pemeliharaan_server", as_="admin_sistem")
    plan = {"judul": "Pembaruan kernel server SPSE", "uraian_pemeliharaan": "Pasang pembaruan keamanan",
            "perangkat_dipelihara": "srv-spse-01", "mulai": "2026-11-28T22:00:00", "selesai": "2026-11-28T23:59:00",
            "dampak_layanan": "SPSE tidak dapat diakses selama 2 jam"}
    past = sop.do(case["id"], "rencana", "admin_sistem", {**plan, "mulai": "2026-11-25T22:00:00"}, expect=422)
    assert "mulai" in past["errors"]
    sop.do(case["id"], "rencana", "admin_sistem", plan)
    sop.do(case["id"], "setujui", "kepala", {"disetujui": True})
    public = api.client.get("/api/v1/announcements").get_json()["items"]
    assert [a["title"] for a in public] == ["Pemeliharaan: Pembaruan kernel server SPSE"]
    assert "Mulai 28 November 2026 pukul 22.00 WIB" in public[0]["body"]
    assert datetime.fromisoformat(public[0]["created_at"]) < datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
    assert sop.case(case["id"])["tasks"] == []  # waiting for the start
    assert timers.run_due(db, app.config) == 0
    clock.advance(timedelta(days=2, hours=13, minutes=1))  # 28 Nov 22:01 WIB
    assert timers.run_due(db, app.config) == 1
    done = sop.do(case["id"], "laksanakan", "admin_sistem", {"hasil": "Kernel diperbarui",
                                                             "selesai_pada": "2026-11-28T23:30:00"})
    assert done["state"] == "completed"
    assert api.client.get("/api/v1/announcements").get_json()["items"] == []


def test_maintenance_the_head_does_not_approve_is_never_announced(sop, api):
    case = sop.start("pemeliharaan_server", as_="admin_sistem")
    start = (clock.now() + timedelta(days=3)).isoformat()
    end = (clock.now() + timedelta(days=3, hours=2)).isoformat()
    sop.do(case["id"], "rencana", "admin_sistem", {
        "judul": "Ganti UPS", "uraian_pemeliharaan": "UPS baru", "perangkat_dipelihara": "UPS-1", "mulai": start,
        "selesai": end, "dampak_layanan": "Tidak ada"})
    done = sop.do(case["id"], "setujui", "kepala", {"disetujui": False, "catatan_kepala": "Tunda"})
    assert done["state"] == "completed"
    assert api.client.get("/api/v1/announcements").get_json()["items"] == []
