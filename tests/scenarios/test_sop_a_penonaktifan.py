"""Deactivation of a User ID (Pasal 12(5)): complaint or blacklist request with evidence, clarification,
the head's decision, the proposal to LKPP as a message out, LKPP's answer as a message in, the account
that can no longer sign in, and the notices; and every way it can end without deactivation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import DaftarHitam, IdentitasPengguna, User
from engine.services.accounts import create_user

SANDI = "sandi-cv-nakal-1"
NPWP = "013000666091000"


@pytest.fixture
def terlapor(db):
    with db.unit_of_work() as session:
        create_user(session, "cvnakal", SANDI, ["penyedia"], full_name="CV Nakal")
        session.add(IdentitasPengguna(username="cvnakal", jenis="penyedia", nama="CV Nakal", nib="9120009999999",
                                      npwp=NPWP, aktif=True, dibuat_pada=clock.now()))
    return "cvnakal"


def ajukan(sop, jenis: str = "pelanggaran", user_id: str = "cvnakal") -> int:
    case = sop.start("penonaktifan_akun", as_="pengguna")
    data = {"jenis": jenis, "user_id_terlapor": user_id, "nama_penyedia": "CV Nakal",
            "uraian": "Mengunggah dokumen penawaran palsu pada tender 12345.",
            "bukti": [sop.upload("bukti-1.pdf", as_="pengguna"), sop.upload("bukti-2.pdf", as_="pengguna")]}
    if jenis == "daftar_hitam":
        data["dasar"] = "SK PA Dinas PUPR No. 027/15/2026 tanggal 2 November 2026"
    sop.do(case["id"], "ajukan", "pengguna", data)
    return case["id"]


def klarifikasi(sop, case_id: int) -> None:
    sop.do(case_id, "telaah", "kepala", {"keputusan_telaah": "klarifikasi"})
    sop.do(case_id, "klarifikasi", "verifikator", {
        "tanggal_klarifikasi": "2026-11-20", "cara": "undangan", "tanggapan_penyedia": "Mengakui kesalahan.",
        "hasil_klarifikasi": "Pelanggaran terbukti."})


def usulkan(sop, case_id: int) -> dict:
    sop.do(case_id, "putuskan", "kepala", {"keputusan": "usulkan", "pertimbangan": "Bukti cukup."})
    sent = sop.of_type(case_id, "message.sent")
    assert [m["data"]["message"] for m in sent] == ["permohonan_lkpp"]
    letter = sop.of_type(case_id, "dokumen.diterbitkan")[0]["data"]
    assert letter["jenis"] == "USUL-NA" and letter["nomor"].startswith("001/USUL-NA/LPSE/")
    assert sop.download(letter["dokumen_id"]).startswith(b"%PDF")
    return letter


def test_a_proven_violation_approved_by_lkpp_deactivates_the_account(sop, terlapor, api, db):
    token = api.client.post("/api/v1/auth/token", json={"username": terlapor, "password": SANDI}).get_json()["token"]
    case_id = ajukan(sop)
    klarifikasi(sop, case_id)
    usulkan(sop, case_id)
    # Until LKPP answers, nothing changes; another message name is refused.
    assert sop.login(terlapor, SANDI) == 200
    sop.message(case_id, "pesan_lain", {}, expect=409)
    done = sop.message(case_id, "jawaban_lkpp", {"disetujui": True, "catatan": "Nomor tiket LKPP 4411."})
    assert done["state"] == "completed"
    assert sop.login(terlapor, SANDI) == 403
    old = api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401  # tokens issued before no longer work
    types = [e["type"] for e in sop.events(case_id)]
    assert types.count("message.received") == 1 and "account.deactivated" in types
    told = sop.of_type(case_id, "pemberitahuan")[-1]["data"]
    assert told["kepada"] == [terlapor, "pengguna"] and "4411" in told["pesan"]
    with db.reader() as session:
        assert session.scalars(select(IdentitasPengguna.aktif)).one() is False
        assert session.scalars(select(DaftarHitam)).all() == []


def test_a_blacklist_request_also_lists_the_supplier_so_it_cannot_register_again(sop, terlapor, db):
    case_id = ajukan(sop, "daftar_hitam")
    klarifikasi(sop, case_id)
    usulkan(sop, case_id)
    sop.message(case_id, "jawaban_lkpp", {"disetujui": True})
    with db.reader() as session:
        listed = session.scalars(select(DaftarHitam)).one()
        active = session.scalar(select(User.is_active).where(User.username == terlapor))
    assert (listed.npwp, active) == (NPWP, False)
    assert "027/15/2026" in listed.dasar
    # The national list mirror now stops a new registration with the same NPWP.
    again = sop.start("registrasi_pengguna", as_="penyedia")
    from .test_sop_a_registrasi import formulir_penyedia

    sop.do(again["id"], "formulir_penyedia", "penyedia", formulir_penyedia(sop, nib="9120001111111"))
    rejected = sop.of_type(again["id"], "registration.rejected")
    assert rejected[0]["data"]["alasan_kode"] == "daftar_hitam"


def test_lkpp_refusing_leaves_the_account_active_and_the_complainant_is_answered(sop, terlapor):
    case_id = ajukan(sop)
    klarifikasi(sop, case_id)
    usulkan(sop, case_id)
    done = sop.message(case_id, "jawaban_lkpp", {"disetujui": False, "catatan": "Bukti belum cukup."})
    assert done["state"] == "completed"
    assert sop.login(terlapor, SANDI) == 200
    told = sop.of_type(case_id, "pemberitahuan")[-1]["data"]
    assert told["kepada"] == ["pengguna"] and "tidak ditindaklanjuti" in told["pesan"]


def test_a_complaint_not_proven_after_clarification_is_answered_without_asking_lkpp(sop, terlapor):
    case_id = ajukan(sop)
    klarifikasi(sop, case_id)
    done = sop.do(case_id, "putuskan", "kepala", {"keputusan": "tidak_terbukti", "pertimbangan": "Salah paham."})
    assert done["state"] == "completed"
    assert sop.of_type(case_id, "message.sent") == []
    assert sop.login(terlapor, SANDI) == 200


def test_an_ungrounded_complaint_or_an_unknown_user_id_is_answered_at_once(sop, terlapor):
    case_id = ajukan(sop)
    done = sop.do(case_id, "telaah", "kepala", {"keputusan_telaah": "tidak_berdasar",
                                                "catatan_telaah": "Bukan pelanggaran syarat penggunaan."})
    assert done["state"] == "completed" and sop.of_type(case_id, "message.sent") == []
    unknown = ajukan(sop, user_id="tidak_ada")
    assert sop.case(unknown)["data"]["akun_terlapor"]["ada"] is False
    done = sop.do(unknown, "telaah", "kepala", {"keputusan_telaah": "klarifikasi"})
    assert done["state"] == "completed"  # nothing to clarify about an account that does not exist


def test_a_blacklist_request_needs_its_decision_and_evidence(sop):
    case = sop.start("penonaktifan_akun", as_="pengguna")
    problem = sop.do(case["id"], "ajukan", "pengguna", {"jenis": "daftar_hitam", "user_id_terlapor": "x",
                                                         "nama_penyedia": "X", "uraian": "y", "bukti": []},
                     expect=422)
    assert "bukti" in problem["errors"]
    problem = sop.do(case["id"], "ajukan", "pengguna", {"jenis": "daftar_hitam", "user_id_terlapor": "x",
                                                         "nama_penyedia": "X", "uraian": "y",
                                                         "bukti": [sop.upload(as_="pengguna")]}, expect=422)
    assert "dasar" in problem["errors"]
    sop.api.start("penonaktifan_akun", as_="penyedia", expect=403)
