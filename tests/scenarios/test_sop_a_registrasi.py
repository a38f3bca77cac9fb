"""SOP (a): registration and verification, every path: approved supplier, approved non-supplier,
blacklist, duplicate NIB/NPWP, taken User ID, incomplete documents, refused at verification, and the
escalation to the head when verification waits more than one working day."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import DaftarHitam, IdentitasPengguna, User
from engine.services import timers

NIB = "9120001234567"
NPWP = "013000666091000"
NIK = "3572014501900001"
SANDI = "sandi-rahasia-penyedia"


def formulir_penyedia(sop, **ubah) -> dict:
    data = {
        "nama_perusahaan": "CV Maju Jaya", "bentuk_usaha": "cv", "nib": NIB, "npwp": "01.300.066.6-091.000",
        "nama_penanggung_jawab": "Siti Rahayu", "jabatan": "Direktur", "nik": NIK,
        "alamat": "Jl. Merdeka 1", "provinsi": "Jawa Timur", "kota": "Blitar", "email": "cv.maju@example.id",
        "telepon": "+62 812-3456-7890", "nama_pengguna": "cvmajujaya", "kata_sandi": SANDI,
        "ktp": sop.upload("ktp.pdf"), "akta_pendirian": sop.upload("akta.pdf"), "dok_npwp": sop.upload("npwp.pdf"),
        "izin_usaha": sop.upload("nib.pdf"),
    }
    data.update(ubah)
    return data


def mulai_penyedia(sop, **ubah) -> int:
    case = sop.api.start("registrasi_pengguna", as_="penyedia")
    assert [t["element_id"] for t in case["tasks"]] == ["formulir_penyedia"]
    persyaratan = case["data"]["persyaratan"]
    assert persyaratan["jenis_pemohon"] == "penyedia"
    assert {d["kode"] for d in persyaratan["dokumen"]} >= {"ktp", "akta_pendirian", "dok_npwp", "izin_usaha"}
    sop.do(case["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop, **ubah))
    return case["id"]


def lengkap(sop, case_id: int) -> None:
    sop.do(case_id, "periksa_kelengkapan", "layanan",
           {"daftar_hitam_nasional": "tidak_tercantum", "dokumen_lengkap": True, "keputusan": "lanjut"})


def setuju():
    return {"asli_sesuai_salinan": True, "data_daring_sesuai": True, "identitas_terautentikasi": True,
            "keputusan": "setuju"}


def arsipkan(sop, case_id: int) -> dict:
    return sop.do(case_id, "arsipkan", "sekretariat", {"nomor_berkas": "REG/2026/001", "lokasi_fisik": "Lemari A2"})


def test_a_supplier_is_verified_approved_can_sign_in_and_the_file_is_archived(sop, db):
    case_id = mulai_penyedia(sop)
    told = sop.of_type(case_id, "pemberitahuan")[0]
    assert "KTP" in told["data"]["pesan"] and told["pasal"] == "12(2)b"
    # 17(4): the filled-in registration form can be downloaded from the case.
    formulir = sop.case(case_id)["data"]["formulir"]
    assert sop.download(formulir["dokumen_id"], as_="penyedia").startswith(b"%PDF")
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", setuju())
    assert sop.login("cvmajujaya", SANDI) == 200
    done = arsipkan(sop, case_id)
    assert done["state"] == "completed"

    types = [e["type"] for e in sop.events(case_id)]
    assert "registration.approved" in types and "account.created" in types and "arsip.dicatat" in types
    archived = sop.of_type(case_id, "arsip.dicatat")[0]["data"]
    assert len(archived["berkas"]) == 5 and all(len(b["sha256"]) == 64 for b in archived["berkas"])
    with db.reader() as session:
        user = session.scalars(select(User).where(User.username == "cvmajujaya")).one()
        identity = session.scalars(select(IdentitasPengguna)).one()
    assert user.roles == ["penyedia"] and user.is_active and user.email == "cv.maju@example.id"
    assert (identity.nib, identity.npwp) == (NIB, NPWP)  # digits only
    # The password never appears in the journal or the case data in plain text.
    assert SANDI not in str(sop.events(case_id)) and "kata_sandi_hash" not in done["data"]
    told = sop.of_type(case_id, "pemberitahuan")[-1]["data"]
    assert "cvmajujaya" in told["kepada"] and told["perihal"].endswith("disetujui")


def test_a_non_supplier_gets_an_account_with_the_applicant_role(sop):
    case = sop.api.start("registrasi_pengguna", as_="pengguna")
    assert [t["element_id"] for t in case["tasks"]] == ["formulir_non_penyedia"]
    sop.do(case["id"], "formulir_non_penyedia", "pengguna", {
        "nama_lengkap": "Budi Santoso", "nip": "198001012005011001", "nik": "3572010101800002",
        "instansi": "Pemerintah Kota Blitar", "unit_kerja": "Dinas PUPR", "jabatan": "PPK", "peran_spse": "ppk",
        "email": "budi@blitarkota.go.id", "telepon": "0342 801234", "nama_pengguna": "budi.ppk",
        "kata_sandi": "sandi-budi-ppk-1", "surat_permohonan": sop.upload("permohonan.pdf", as_="pengguna"),
        "sk_penunjukan": sop.upload("sk.pdf", as_="pengguna"), "ktp": sop.upload("ktp.pdf", as_="pengguna")})
    lengkap(sop, case["id"])
    sop.do(case["id"], "verifikasi", "verifikator", setuju())
    arsipkan(sop, case["id"])
    assert sop.login("budi.ppk", "sandi-budi-ppk-1") == 200
    token = sop.api.client.post("/api/v1/auth/token", json={"username": "budi.ppk",
                                                            "password": "sandi-budi-ppk-1"}).get_json()
    assert token["roles"] == ["pengguna"]


def _ditolak(sop, case_id: int, kode: str) -> dict:
    rejected = sop.of_type(case_id, "registration.rejected")
    assert [r["data"]["alasan_kode"] for r in rejected] == [kode]
    told = sop.of_type(case_id, "pemberitahuan")[-1]["data"]
    assert told["perihal"].endswith("ditolak") and rejected[0]["data"]["alasan_label"] in told["pesan"]
    done = arsipkan(sop, case_id)
    assert done["state"] == "completed"
    assert sop.login("cvmajujaya", SANDI) == 401
    return rejected[0]["data"]


def test_a_blacklisted_supplier_is_refused_before_verification(sop, db):
    with db.unit_of_work() as session:
        session.add(DaftarHitam(nama="CV Maju Jaya", npwp=NPWP, nib=None, dasar="SK PPK 01/2026",
                                sejak=clock.now().date(), sampai=None, dicatat_pada=clock.now()))
    case_id = mulai_penyedia(sop)
    assert [t["element_id"] for t in sop.case(case_id)["tasks"]] == ["arsipkan"]
    assert "SK PPK 01/2026" in _ditolak(sop, case_id, "daftar_hitam")["alasan"]


def test_a_second_registration_with_the_same_nib_is_refused(sop, db):
    with db.unit_of_work() as session:
        session.add(IdentitasPengguna(username="cv_lama", jenis="penyedia", nama="CV Lama", nib=NIB, npwp=None,
                                      aktif=True, dibuat_pada=clock.now()))
    case_id = mulai_penyedia(sop)
    assert "cv_lama" in _ditolak(sop, case_id, "sudah_terdaftar")["alasan"]


def test_a_user_id_already_taken_is_refused(sop):
    case_id = mulai_penyedia(sop, nama_pengguna="kepala")
    _ditolak(sop, case_id, "user_id_terpakai")


def test_incomplete_documents_are_refused_by_the_helpdesk_with_a_reason(sop):
    case_id = mulai_penyedia(sop)
    # Continuing with incomplete documents is refused by the form, saying why.
    bad = sop.do(case_id, "periksa_kelengkapan", "layanan", {"daftar_hitam_nasional": "tidak_tercantum",
                                                            "dokumen_lengkap": False, "keputusan": "lanjut"},
                 expect=422)
    assert "keputusan" in bad["errors"]
    missing = sop.do(case_id, "periksa_kelengkapan", "layanan", {"daftar_hitam_nasional": "tidak_tercantum",
                                                                "dokumen_lengkap": False, "keputusan": "tolak"},
                     expect=422)
    assert "alasan_kode" in missing["errors"]
    sop.do(case_id, "periksa_kelengkapan", "layanan", {
        "daftar_hitam_nasional": "tidak_tercantum", "dokumen_lengkap": False, "keputusan": "tolak",
        "alasan_kode": "dokumen_tidak_lengkap", "alasan": "Akta perubahan terakhir belum dilampirkan"})
    assert "Akta perubahan" in _ditolak(sop, case_id, "dokumen_tidak_lengkap")["alasan"]


def test_the_national_blacklist_check_by_the_helpdesk_refuses(sop):
    case_id = mulai_penyedia(sop)
    sop.do(case_id, "periksa_kelengkapan", "layanan", {
        "daftar_hitam_nasional": "tercantum", "dokumen_lengkap": True, "keputusan": "tolak",
        "alasan_kode": "daftar_hitam"})
    _ditolak(sop, case_id, "daftar_hitam")


def test_originals_that_differ_are_a_refusal_at_verification(sop):
    case_id = mulai_penyedia(sop)
    lengkap(sop, case_id)
    mismatch = {**setuju(), "asli_sesuai_salinan": False}
    assert "keputusan" in sop.do(case_id, "verifikasi", "verifikator", mismatch, expect=422)["errors"]
    sop.do(case_id, "verifikasi", "verifikator", {**mismatch, "keputusan": "tolak", "alasan_kode": "asli_tidak_sesuai",
                                                  "alasan": "Alamat pada akta berbeda dengan data daring"})
    _ditolak(sop, case_id, "asli_tidak_sesuai")


@pytest.mark.parametrize("field, value", [("nik", "1234"), ("npwp", "123456789012345"), ("nib", "12345"),
                                          ("telepon", "12"), ("email", "bukan-email"), ("nama_pengguna", "A!")])
def test_the_online_form_refuses_bad_numbers_with_a_message_in_both_languages(sop, field, value):
    case = sop.api.start("registrasi_pengguna", as_="penyedia")
    problem = sop.do(case["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop, **{field: value}),
                     expect=422)
    message = " ".join(problem["errors"][field])
    assert " / " in message  # Bahasa Indonesia / English


def test_a_representative_needs_a_power_of_attorney(sop):
    case = sop.api.start("registrasi_pengguna", as_="penyedia")
    problem = sop.do(case["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop, diwakilkan=True),
                     expect=422)
    assert "surat_kuasa" in problem["errors"]


def test_verification_waiting_more_than_one_working_day_is_escalated_to_the_head(sop, db, app):
    clock.freeze(datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc))  # a Friday, 10:00 WIB
    case_id = mulai_penyedia(sop)
    lengkap(sop, case_id)
    assert timers.run_due(db, app.config) == 0
    clock.advance(timedelta(days=2))  # Sunday: not yet one working day
    assert timers.run_due(db, app.config) == 0
    clock.advance(timedelta(days=1, minutes=1))  # Monday, past the same hour
    assert timers.run_due(db, app.config) == 1
    tasks = {t["element_id"]: t["role"] for t in sop.case(case_id)["tasks"]}
    assert tasks == {"verifikasi": "verifikator", "arahan_kepala": "kepala"}
    sop.do(case_id, "arahan_kepala", "kepala", {"tindakan": "ingatkan", "arahan": "Selesaikan hari ini."})
    sop.do(case_id, "verifikasi", "verifikator", setuju())
    assert arsipkan(sop, case_id)["state"] == "completed"
    assert sop.login("cvmajujaya", SANDI) == 200
    assert len(sop.of_type(case_id, "timer.fired")) == 1
