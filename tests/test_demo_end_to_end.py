"""Issue 3's "done when": every SOP runs end to end from the API by the demo accounts.

The database is prepared by ``alur dev`` itself (upgrade, deploy workflows/bpmn, one demo account per role
with the documented demo password), which then serves Alur on gunicorn with its background worker on a
free port. Everything below goes over real HTTP and signs in only as the demo accounts (and as the accounts
the registration SOP itself creates); timers are fired by the real worker, not by the test.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from demo_http import DEMO_PASSWORD, DemoServer, HttpApi
from scenarios.conftest import Sop
from scenarios.test_sop_a_registrasi import SANDI, arsipkan, formulir_penyedia, lengkap, setuju
from scenarios.test_sop_b_layanan import BOOKING, TIKET
from scenarios.test_sop_c_penanganan import CATAT, PELAKSANAAN, PERMOHONAN, SELESAI
from scenarios.test_sop_d_pemeliharaan import PERIKSA
from scenarios.test_sop_d_pemeliharaan import PERMOHONAN as KUNJUNGAN

from engine.roles import ROLES

WIB = timezone(timedelta(hours=7))
pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def demo(database_url, tmp_path):
    server = DemoServer(database_url, tmp_path, ALUR_BACKUP_DIR=str(tmp_path / "cadangan"),
                        ALUR_KAPASITAS_BATAS_DISK="0", ALUR_WORKER_POLL_SECONDS="0.5").wait()
    try:
        yield Sop(HttpApi(server.base))
    finally:
        server.stop()


def _eventually(check, timeout: float = 60.0):
    """What the real worker does is seen within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def _pdf(sop: Sop, case_id: int, jenis: str) -> str:
    issued = [e["data"] for e in sop.of_type(case_id, "dokumen.diterbitkan") if e["data"]["jenis"] == jenis]
    assert issued, (case_id, jenis)
    assert sop.download(issued[-1]["dokumen_id"]).startswith(b"%PDF")
    return issued[-1]["nomor"]


def test_every_demo_account_signs_in_with_its_role(demo):
    for role in ROLES:
        answer = demo.api.client.post("/api/v1/auth/token", json={"username": role, "password": DEMO_PASSWORD})
        assert answer.status_code == 200 and answer.get_json()["roles"] == [role], role
    deployed = {d["process_id"] for d in demo.api.call("GET", "/api/v1/process-definitions", as_="auditor",
                                                       expect=200).get_json()["items"]}
    assert {"registrasi_pengguna", "penonaktifan_akun", "tiket_layanan", "penanganan_masalah", "akses_ruang_server",
            "pemeliharaan_server", "kapasitas_harian", "pencadangan", "laporan_triwulan"} <= deployed


def test_registration_both_paths_a_rejection_and_deactivation_via_lkpp(demo):
    sop = demo
    # Supplier path: the demo supplier applies for a new User ID; approval creates it with the role.
    case = sop.start("registrasi_pengguna", as_="penyedia")
    sop.do(case["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop))
    lengkap(sop, case["id"])
    sop.do(case["id"], "verifikasi", "verifikator", setuju())
    assert arsipkan(sop, case["id"])["state"] == "completed"
    token = sop.api.client.post("/api/v1/auth/token", json={"username": "cvmajujaya", "password": SANDI})
    assert token.status_code == 200 and token.get_json()["roles"] == ["penyedia"]

    # Non-supplier path: an official of the city gets an account with the role pengguna.
    other = sop.start("registrasi_pengguna", as_="pengguna")
    sop.do(other["id"], "formulir_non_penyedia", "pengguna", {
        "nama_lengkap": "Budi Santoso", "nip": "198001012005011001", "nik": "3572010101800002",
        "instansi": "Pemerintah Kota Blitar", "unit_kerja": "Dinas PUPR", "jabatan": "PPK", "peran_spse": "ppk",
        "email": "budi@blitarkota.go.id", "telepon": "0342 801234", "nama_pengguna": "budi.ppk",
        "kata_sandi": "sandi-budi-ppk-1", "surat_permohonan": sop.upload("permohonan.pdf", as_="pengguna"),
        "sk_penunjukan": sop.upload("sk.pdf", as_="pengguna"), "ktp": sop.upload("ktp.pdf", as_="pengguna")})
    lengkap(sop, other["id"])
    sop.do(other["id"], "verifikasi", "verifikator", setuju())
    arsipkan(sop, other["id"])
    token = sop.api.client.post("/api/v1/auth/token", json={"username": "budi.ppk", "password": "sandi-budi-ppk-1"})
    assert token.status_code == 200 and token.get_json()["roles"] == ["pengguna"]

    # A second registration with the same NIB and NPWP is refused, and the applicant is told why.
    again = sop.start("registrasi_pengguna", as_="penyedia")
    sop.do(again["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop, nama_pengguna="cvkembar"))
    told = sop.of_type(again["id"], "pemberitahuan")[-1]["data"]
    assert told["perihal"].endswith("ditolak") and "cvmajujaya" in told["pesan"]
    assert arsipkan(sop, again["id"])["state"] == "completed"
    assert sop.login("cvkembar", SANDI) == 401

    # Deactivation of the supplier just approved: complaint, clarification, decision, LKPP out and in.
    complaint = sop.start("penonaktifan_akun", as_="pengguna")
    sop.do(complaint["id"], "ajukan", "pengguna", {
        "jenis": "pelanggaran", "user_id_terlapor": "cvmajujaya", "nama_penyedia": "CV Maju Jaya",
        "uraian": "Mengunggah dokumen penawaran palsu.", "bukti": [sop.upload("bukti.pdf", as_="pengguna")]})
    sop.do(complaint["id"], "telaah", "kepala", {"keputusan_telaah": "klarifikasi"})
    sop.do(complaint["id"], "klarifikasi", "verifikator", {
        "tanggal_klarifikasi": "2026-11-20", "cara": "undangan", "tanggapan_penyedia": "Mengakui.",
        "hasil_klarifikasi": "Pelanggaran terbukti."})
    sop.do(complaint["id"], "putuskan", "kepala", {"keputusan": "usulkan", "pertimbangan": "Bukti cukup."})
    assert [m["data"]["message"] for m in sop.of_type(complaint["id"], "message.sent")] == ["permohonan_lkpp"]
    assert _pdf(sop, complaint["id"], "USUL-NA").startswith("001/USUL-NA/LPSE/")
    assert sop.login("cvmajujaya", SANDI) == 200  # nothing changes before LKPP answers
    done = sop.message(complaint["id"], "jawaban_lkpp", {"disetujui": True, "catatan": "Tiket LKPP 4411."})
    assert done["state"] == "completed"
    assert sop.login("cvmajujaya", SANDI) == 403
    assert "4411" in sop.of_type(complaint["id"], "pemberitahuan")[-1]["data"]["pesan"]


def _in(days: float) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(days=days)).astimezone(WIB)


def test_user_service_error_handling_and_maintenance_and_access(demo):
    sop, api = demo, demo.api
    # (b) A ticket answered and rated; feedback followed up; a bidding-room booking used.
    ticket = sop.start("tiket_layanan", as_="penyedia")
    sop.do(ticket["id"], "tulis", "penyedia", TIKET)
    sop.do(ticket["id"], "tangani", "layanan", {"jawaban": "Lihat menu Kualifikasi.", "hasil": "selesai"})
    assert sop.do(ticket["id"], "konfirmasi", "penyedia", {"puas": True, "nilai": 5})["state"] == "completed"
    feedback = sop.start("masukan_layanan", as_="penyedia")
    sop.do(feedback["id"], "tulis", "penyedia", {"nilai": 3, "aspek": "helpdesk", "saran": "Buka lebih lama"})
    assert sop.do(feedback["id"], "tindak_lanjuti", "sekretariat",
                  {"tindak_lanjut": "Helpdesk buka sampai 16.00"})["state"] == "completed"
    booking = sop.start("pemesanan_ruang", as_="penyedia")
    sop.do(booking["id"], "ajukan", "penyedia", {**BOOKING, "tanggal": _in(10).date().isoformat()})
    sop.do(booking["id"], "setujui", "layanan", {"disetujui": True})
    assert sop.do(booking["id"], "catat_penggunaan", "layanan", {
        "jam_masuk": "09:05", "jam_keluar": "10:40", "perangkat_digunakan": BOOKING["perangkat"]})["state"] == \
        "completed"

    # (b) Training: scheduled, announced, registration closes by the worker's timer, attendance, certificate.
    training = sop.start("pelatihan", as_="layanan")
    sop.do(training["id"], "jadwalkan", "layanan", {
        "judul": "Pelatihan SPSE", "sasaran": "penyedia", "tanggal": _in(7).date().isoformat(), "jam_mulai": "09:00",
        "tempat": "Ruang pelatihan", "kuota": 5, "batas_pendaftaran": _in(15 / 86400).isoformat(), "pengajar": "Rina"})
    pelatihan_id = sop.case(training["id"])["data"]["pelatihan"]["id"]
    seat = sop.start("pendaftaran_pelatihan", as_="penyedia")
    sop.do(seat["id"], "daftar", "penyedia", {"pelatihan_id": pelatihan_id, "nama": "Siti", "email": "siti@example.id",
                                              "instansi": "CV Maju", "telepon": "081234567890"})
    assert _eventually(lambda: any(t["element_id"] == "kehadiran" for t in sop.case(training["id"])["tasks"]))
    present = [p["id"] for p in sop.case(training["id"])["data"]["peserta"]]
    done = sop.do(training["id"], "kehadiran", "layanan", {"hadir": present})
    assert done["state"] == "completed" and done["data"]["sertifikat"][0]["nomor"].startswith("001/SERT/LPSE/")

    # (b) An announcement the head approves is public.
    news = sop.start("pengumuman_layanan", as_="layanan")
    sop.do(news["id"], "susun", "layanan", {"jenis_pengumuman": "gangguan", "judul": "Akses SPSE lambat",
                                            "isi": "Gangguan jaringan"})
    assert sop.do(news["id"], "setujui", "kepala", {"disetujui": True})["state"] == "completed"
    assert "Akses SPSE lambat" in [a["title"] for a in api.client.get("/api/v1/announcements").get_json()["items"]]

    # (c) An outage during a tender: forwarded to LKPP, answered, Berita Acara Gangguan, confirmed.
    incident = sop.start("penanganan_masalah", as_="layanan")
    sop.do(incident["id"], "catat", "layanan", {**CATAT, "saat_tender": True, "kode_tender": "10012026",
                                                "nama_paket": "Rehabilitasi Jalan", "umumkan": True})
    sop.do(incident["id"], "tangani", "admin_sistem", {**SELESAI, "hasil": "teruskan_lkpp",
                                                       "alasan_lkpp": "tidak_dapat_diselesaikan", "waktu_pulih": None})
    sop.message(incident["id"], "jawaban_lkpp", {"solusi": "Perbarui SPSE"}, as_="admin_sistem")
    sop.do(incident["id"], "tindak_lanjut", "admin_sistem", {"tindakan_lanjut": "SPSE diperbarui",
                                                             "waktu_pulih": "2026-11-20T13:00:00+07:00"})
    sop.do(incident["id"], "periksa_ba", "kepala", {"setuju": True})
    assert sop.do(incident["id"], "konfirmasi", "layanan", {"pelapor_puas": True})["state"] == "completed"
    assert _pdf(sop, incident["id"], "BA-GGN").startswith("001/BA-GGN/LPSE/")

    # (c) Kesaksian with its Berita Acara Kesaksian.
    witness = sop.start("kesaksian_dokumen", as_="pengguna")
    sop.do(witness["id"], "ajukan", "pengguna", {**PERMOHONAN, "surat_permohonan": sop.upload(as_="pengguna")})
    sop.do(witness["id"], "saksikan", "admin_sistem", {**PELAKSANAAN, "hasil_kesaksian": "dapat_dibuka"})
    assert sop.do(witness["id"], "periksa_ba", "kepala", {"setuju": True})["state"] == "completed"
    assert _pdf(sop, witness["id"], "BA-KES").startswith("001/BA-KES/LPSE/")

    # (d) Server-room access: request, check, the head's permission, escort, exit with devices, filed.
    visit = sop.start("akses_ruang_server", as_="sekretariat")
    sop.do(visit["id"], "permohonan", "sekretariat", {**KUNJUNGAN, "rencana_masuk": _in(1).isoformat()})
    sop.do(visit["id"], "periksa", "admin_sistem", PERIKSA)
    sop.do(visit["id"], "izin", "kepala", {"diizinkan": True, "alasan_izin": "Didampingi admin"})
    sop.do(visit["id"], "dampingi", "admin_sistem", {
        "pendamping": "Rina", "waktu_masuk": _in(1).isoformat(), "waktu_keluar": _in(1.05).isoformat(),
        "kegiatan": "Disk diganti", "identitas_dikembalikan": True, "perangkat_keluar": KUNJUNGAN["perangkat"]})
    assert sop.do(visit["id"], "arsipkan", "sekretariat", {"nomor_berkas": "KRS/1", "lokasi_fisik": "Rak 3"})[
        "state"] == "completed"

    # (d) Maintenance: approved, announced before it starts, started by the worker's timer, done, withdrawn.
    maintenance = sop.start("pemeliharaan_server", as_="admin_sistem")
    sop.do(maintenance["id"], "rencana", "admin_sistem", {
        "judul": "Pembaruan kernel", "uraian_pemeliharaan": "Pembaruan keamanan", "perangkat_dipelihara": "srv-01",
        "mulai": _in(10 / 86400).isoformat(), "selesai": _in(1).isoformat(), "dampak_layanan": "SPSE berhenti"})
    sop.do(maintenance["id"], "setujui", "kepala", {"disetujui": True})
    assert "Pemeliharaan: Pembaruan kernel" in [a["title"] for a in
                                                api.client.get("/api/v1/announcements").get_json()["items"]]
    assert _eventually(lambda: [t["element_id"] for t in sop.case(maintenance["id"])["tasks"]] == ["laksanakan"])
    done = sop.do(maintenance["id"], "laksanakan", "admin_sistem", {"hasil": "Kernel diperbarui",
                                                                    "selesai_pada": _in(0.01).isoformat()})
    assert done["state"] == "completed"
    assert "Pemeliharaan: Pembaruan kernel" not in [
        a["title"] for a in api.client.get("/api/v1/announcements").get_json()["items"]]


def test_capacity_archiving_and_the_quarterly_report(demo):
    sop = demo
    # (e) Over the (configured) disk threshold: the administrator analyses, the head decides, it is done.
    check = sop.start("kapasitas_harian", as_="admin_sistem")
    reading = sop.case(check["id"])["data"]["pengukuran"]
    assert reading["kritis"] and reading["ram_total"] > 0 and reading["basis_data_byte"] > 0
    sop.do(check["id"], "analisis", "admin_sistem", {"analisis": "Partisi data hampir penuh", "usulan": "tambah_disk",
                                                     "rencana": "Tambah SSD"})
    sop.do(check["id"], "putuskan", "kepala", {"disetujui": True})
    assert sop.do(check["id"], "laksanakan", "admin_sistem", {"hasil_pelaksanaan": "SSD terpasang",
                                                              "selesai_pada": _in(0.01).isoformat()})["state"] == \
        "completed"

    # (f) A real backup, proved by a restore, labelled, handed over and kept off-site.
    sop.upload("bukti.pdf")
    backup = sop.start("pencadangan", as_="admin_sistem")
    result = backup["data"]["cadangan"]
    assert result["berhasil"] is True and len(result["sha256"]) == 64, result
    assert result["baris_dipulihkan"]["users"] == len(ROLES)
    sop.do(backup["id"], "label", "admin_sistem", {"media": "hdd_eksternal", "nomor_seri_media": "WX1",
                                                    "label": "ALUR-W48", "sha256_diperiksa": True})
    sop.do(backup["id"], "serah_terima", "sekretariat", {"diserahkan_oleh": "Admin", "diterima_oleh": "Sekretariat",
                                                          "waktu_serah_terima": _in(0.01).isoformat()})
    assert sop.do(backup["id"], "simpan", "sekretariat", {"lokasi_penyimpanan": "Brankas Setda"})["state"] == \
        "completed"

    # The quarterly report: compiled from the journal, reviewed and signed by the head, a numbered PDF, sent.
    now = datetime.now(WIB)
    report = sop.start("laporan_triwulan", {"triwulan": f"{now.year}-Q{(now.month - 1) // 3 + 1}"}, as_="sekretariat")
    figures = sop.case(report["id"])["data"]["laporan"]
    assert figures["kapasitas"]["pemeriksaan"] == 1
    sop.do(report["id"], "lengkapi", "sekretariat", {"permasalahan": "Disk penuh.", "rekomendasi": "Tambah disk."})
    sop.do(report["id"], "tinjau", "kepala", {"setuju": True})
    signed = sop.case(report["id"])["data"]["dokumen_laporan"]
    assert signed["nomor"].startswith("001/LAP-TW/LPSE/") and sop.download(signed["dokumen_id"]).startswith(b"%PDF")
    assert sop.do(report["id"], "kirim", "sekretariat", {"nomor_surat_pengantar": "027/LPSE",
                                                          "tanggal_kirim": now.date().isoformat()})["state"] == \
        "completed"
