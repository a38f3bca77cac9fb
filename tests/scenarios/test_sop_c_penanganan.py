"""SOP (c), error handling: an incident through its states, announced and withdrawn, forwarded to LKPP
and answered, a Berita Acara Gangguan when it hit a tender (sent back once for correction), a reporter
who reopens it; and the kesaksian with its Berita Acara Kesaksian, with and without LKPP."""
from __future__ import annotations

CATAT = {"saluran": "telepon", "nama_pelapor": "Pokja 3", "kontak_pelapor": "0342 801234",
         "user_id_pelapor": "pengguna", "uraian": "Halaman unggah penawaran tidak dapat diakses",
         "jenis": "gangguan", "kategori": "teknis", "sifat": "software", "urgensi": "tinggi", "dampak": "tinggi"}
SELESAI = {"tindakan": "Layanan aplikasi dijalankan ulang", "penyebab": "Memori server penuh",
           "waktu_mulai_gangguan": "2026-11-20T09:00:00+07:00", "waktu_pulih": "2026-11-20T10:30:00+07:00",
           "hasil": "selesai"}


def statuses(sop, case_id: int) -> list[str]:
    return [e["data"]["status"] for e in sop.of_type(case_id, "insiden.status")]


def test_a_simple_problem_is_recorded_handled_and_confirmed(sop):
    case = sop.start("penanganan_masalah", as_="layanan")
    sop.do(case["id"], "catat", "layanan", {**CATAT, "urgensi": "rendah", "dampak": "sedang"})
    assert sop.case(case["id"])["data"]["prioritas"] == "P3"
    sop.do(case["id"], "tangani", "admin_sistem", SELESAI)
    done = sop.do(case["id"], "konfirmasi", "layanan", {"pelapor_puas": True})
    assert done["state"] == "completed"
    assert statuses(sop, case["id"]) == ["tercatat", "penanganan", "penyelesaian", "selesai"]
    assert sop.of_type(case["id"], "dokumen.diterbitkan") == []
    assert sop.of_type(case["id"], "pemberitahuan")[0]["data"]["kepada"] == ["pengguna"]


def test_an_outage_during_a_tender_is_announced_forwarded_to_lkpp_and_gets_a_berita_acara(sop, api):
    case = sop.start("penanganan_masalah", as_="layanan")
    sop.do(case["id"], "catat", "layanan", {**CATAT, "saat_tender": True, "kode_tender": "10012026",
                                            "nama_paket": "Rehabilitasi Jalan Merdeka", "umumkan": True})
    assert sop.case(case["id"])["data"]["prioritas"] == "P1"
    public = api.client.get("/api/v1/announcements").get_json()["items"]
    assert [a["title"].split(":")[0] for a in public] == ["Gangguan layanan SPSE"]

    sop.do(case["id"], "tangani", "admin_sistem", {**SELESAI, "hasil": "teruskan_lkpp",
                                                   "alasan_lkpp": "tidak_dapat_diselesaikan", "waktu_pulih": None})
    sent = sop.of_type(case["id"], "message.sent")
    assert [m["data"]["message"] for m in sent] == ["permohonan_lkpp"]
    letter = sop.of_type(case["id"], "dokumen.diterbitkan")[0]["data"]
    assert letter["nomor"].startswith("001/SRT-LKPP/LPSE/")
    sop.message(case["id"], "jawaban_lkpp", {"solusi": "Perbarui SPSE ke versi 4.5u20241101"},
                as_="admin_sistem")
    sop.do(case["id"], "tindak_lanjut", "admin_sistem", {"tindakan_lanjut": "SPSE diperbarui",
                                                         "waktu_pulih": "2026-11-20T13:00:00+07:00"})
    # The head sends the Berita Acara back once; the administrator corrects and it comes back.
    sop.do(case["id"], "periksa_ba", "kepala", {"setuju": False, "catatan_kepala": "Perbaiki penyebab."})
    sop.do(case["id"], "tangani", "admin_sistem", {**SELESAI, "penyebab": "Pembaruan SPSE belum dipasang",
                                                   "waktu_pulih": "2026-11-20T13:00:00+07:00"})
    sop.do(case["id"], "periksa_ba", "kepala", {"setuju": True})
    ba = sop.of_type(case["id"], "dokumen.diterbitkan")[-1]["data"]
    assert ba["jenis"] == "BA-GGN" and ba["nomor"].startswith("001/BA-GGN/LPSE/")
    assert sop.download(ba["dokumen_id"]).startswith(b"%PDF")
    assert api.client.get("/api/v1/announcements").get_json()["items"] == []  # withdrawn once solved

    # The reporter is not satisfied: the case goes back to handling.
    sop.do(case["id"], "konfirmasi", "layanan", {"pelapor_puas": False, "catatan_konfirmasi": "Masih lambat"})
    sop.do(case["id"], "tangani", "admin_sistem", {**SELESAI, "waktu_pulih": "2026-11-20T15:00:00+07:00"})
    sop.do(case["id"], "periksa_ba", "kepala", {"setuju": True})
    done = sop.do(case["id"], "konfirmasi", "layanan", {"pelapor_puas": True})
    assert done["state"] == "completed"
    numbers = [d["data"]["nomor"] for d in sop.of_type(case["id"], "dokumen.diterbitkan") if d["data"]["jenis"] ==
               "BA-GGN"]
    assert [n.split("/")[0] for n in numbers] == ["001", "002"]  # a new BA for the reopened incident, no gaps
    assert statuses(sop, case["id"])[-1] == "selesai" and statuses(sop, case["id"]).count("penanganan") == 2


PERMOHONAN = {"nomor_surat": "027/POKJA-3/2026", "kode_tender": "10012026", "nama_paket": "Rehabilitasi Jalan",
              "nama_penyedia": "CV Maju Jaya", "nama_file": "penawaran.rhs", "ukuran_file": 1048576}
PELAKSANAAN = {"waktu_pelaksanaan": "2026-11-21T10:00:00+07:00", "sha256_file": "ab" * 32,
               "alat": "Apendo 4.1, SPAMKODOK", "langkah": "Unduh ulang; dekripsi dengan kunci Pokja",
               "saksi": [{"nama": "Andi", "jabatan": "Ketua Pokja", "instansi": "Pokja 3"},
                         {"nama": "Rina", "jabatan": "Admin Sistem", "instansi": "LPSE"}]}


def test_a_kesaksian_whose_file_opens_gets_a_berita_acara_kesaksian(sop):
    case = sop.start("kesaksian_dokumen", as_="pengguna")
    sop.do(case["id"], "ajukan", "pengguna", {**PERMOHONAN, "surat_permohonan": sop.upload(as_="pengguna")})
    sop.do(case["id"], "saksikan", "admin_sistem", {**PELAKSANAAN, "hasil_kesaksian": "dapat_dibuka"})
    done = sop.do(case["id"], "periksa_ba", "kepala", {"setuju": True})
    assert done["state"] == "completed"
    ba = sop.of_type(case["id"], "dokumen.diterbitkan")[0]["data"]
    assert ba["nomor"].startswith("001/BA-KES/LPSE/") and sop.of_type(case["id"], "message.sent") == []
    assert sop.download(ba["dokumen_id"], as_="pengguna").startswith(b"%PDF")
    assert sop.of_type(case["id"], "pemberitahuan")[0]["data"]["kepada"] == ["pengguna"]


def test_a_file_that_may_be_recoverable_goes_to_lkpp_after_a_corrected_berita_acara(sop):
    case = sop.start("kesaksian_dokumen", as_="pengguna")
    sop.do(case["id"], "ajukan", "pengguna", {**PERMOHONAN, "surat_permohonan": sop.upload(as_="pengguna")})
    too_few = {**PELAKSANAAN, "saksi": PELAKSANAAN["saksi"][:1], "hasil_kesaksian": "tidak_dapat_dibuka"}
    assert "saksi" in sop.do(case["id"], "saksikan", "admin_sistem", too_few, expect=422)["errors"]
    sop.do(case["id"], "saksikan", "admin_sistem", {**PELAKSANAAN, "hasil_kesaksian": "tidak_dapat_dibuka"})
    sop.do(case["id"], "periksa_ba", "kepala", {"setuju": False, "catatan_kepala": "Tambahkan versi Apendo"})
    sop.do(case["id"], "saksikan", "admin_sistem", {**PELAKSANAAN, "hasil_kesaksian": "tidak_dapat_dibuka",
                                                    "dapat_dipulihkan": True})
    sop.do(case["id"], "periksa_ba", "kepala", {"setuju": True})
    assert [m["data"]["message"] for m in sop.of_type(case["id"], "message.sent")] == ["permohonan_lkpp"]
    done = sop.message(case["id"], "jawaban_lkpp", {"hasil": "File berhasil dipulihkan"})
    assert done["state"] == "completed"
    kinds = [d["data"]["jenis"] for d in sop.of_type(case["id"], "dokumen.diterbitkan")]
    assert kinds == ["BA-KES", "SRT-LKPP"]
