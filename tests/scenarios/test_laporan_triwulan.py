"""The quarterly report: figures compiled from the journal of the quarter, completed, sent back once,
signed, printed as a numbered PDF with charts and sent."""
from __future__ import annotations

from datetime import datetime, timezone

from engine import clock
from workflows.laporan import Triwulan

from .test_sop_a_registrasi import arsipkan, lengkap, mulai_penyedia, setuju
from .test_sop_b_layanan import TIKET


def test_the_quarter_before_the_schedule_and_its_bounds_in_local_time():
    assert Triwulan.sebelum(datetime(2027, 1, 1, 8, 0)) == Triwulan(2026, 4)
    assert Triwulan.sebelum(datetime(2026, 7, 1)) == Triwulan(2026, 2)
    start, end = Triwulan(2026, 4).batas("Asia/Jakarta")
    assert (start.isoformat(), end.isoformat()) == ("2026-10-01T00:00:00+07:00", "2027-01-01T00:00:00+07:00")


def test_a_quarterly_report_counts_what_happened_and_is_signed_as_a_pdf(sop, app):
    clock.freeze(datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    approved = mulai_penyedia(sop)
    lengkap(sop, approved)
    sop.do(approved, "verifikasi", "verifikator", setuju())
    arsipkan(sop, approved)
    refused = mulai_penyedia(sop, nama_pengguna="cvlain")  # same NIB and NPWP: refused
    arsipkan(sop, refused)
    ticket = sop.start("tiket_layanan", as_="penyedia")
    sop.do(ticket["id"], "tulis", "penyedia", TIKET)
    sop.do(ticket["id"], "tangani", "layanan", {"jawaban": "Sudah dijawab", "hasil": "selesai"})
    sop.do(ticket["id"], "konfirmasi", "penyedia", {"puas": True, "nilai": 4})
    app.config.update(KAPASITAS_BATAS_DISK=101, KAPASITAS_BATAS_RAM=101, KAPASITAS_BATAS_CPU=101)
    sop.start("kapasitas_harian", as_="admin_sistem")

    case = sop.start("laporan_triwulan", {"triwulan": "2026-Q4"}, as_="sekretariat")
    figures = sop.case(case["id"])["data"]["laporan"]
    assert figures["label"] == "Triwulan IV 2026"
    assert figures["registrasi"] == {"baru": 2, "disetujui": 1, "ditolak": 1, "dinonaktifkan": 0,
                                     "alasan_penolakan": {"sudah_terdaftar": 1}}
    assert figures["tiket"]["dibuka"] == 1 and figures["tiket"]["per_jenis"] == {"konsultasi": 1}
    assert figures["masukan"] == {"jumlah": 1, "rata_rata": 4}
    assert figures["kapasitas"]["pemeriksaan"] == 1 and figures["cadangan"]["diharapkan"] == 13

    narrative = {"permasalahan": "Lonjakan pendaftaran penyedia.", "rekomendasi": "Tambah satu verifikator."}
    sop.do(case["id"], "lengkapi", "sekretariat", narrative)
    sop.do(case["id"], "tinjau", "kepala", {"setuju": False, "catatan_kepala": "Tambahkan data pelatihan"})
    sop.do(case["id"], "lengkapi", "sekretariat", {**narrative, "rekomendasi": "Tambah verifikator; pelatihan."})
    sop.do(case["id"], "tinjau", "kepala", {"setuju": True})
    report = sop.case(case["id"])["data"]["dokumen_laporan"]
    assert report["nomor"] == "001/LAP-TW/LPSE/XI/2026"
    pdf = sop.download(report["dokumen_id"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    done = sop.do(case["id"], "kirim", "sekretariat", {"nomor_surat_pengantar": "027/LPSE/2026",
                                                        "tanggal_kirim": "2026-11-21"})
    assert done["state"] == "completed"


def test_a_scheduled_report_covers_the_previous_quarter(sop):
    case = sop.start("laporan_triwulan", {"scheduled_for": "2027-01-01T08:00:00+07:00"}, as_="sekretariat")
    assert sop.case(case["id"])["data"]["laporan"]["triwulan"] == "2026-Q4"
