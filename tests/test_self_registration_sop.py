"""Self-registration (/daftar) starts the real registration SOP of workflows/bpmn, not a test diagram:
the applicant fills in the SOP's own form, approval verifies the account so it signs in with its role,
and rejection tells the applicant the reason on "my requests"."""
from __future__ import annotations

import pytest
from conftest import PASSWORD
from scenarios.conftest import BPMN_DIR, Sop
from scenarios.test_sop_a_registrasi import arsipkan, formulir_penyedia, lengkap, setuju
from sqlalchemy import select

from engine.models import IdentitasPengguna, User


@pytest.fixture
def sop(api) -> Sop:
    api.deploy(*sorted(BPMN_DIR.glob("*.bpmn")))
    return Sop(api)


def _daftar(ui, username: str, kind: str = "penyedia") -> int:
    """Register at /daftar (the default ALUR_REGISTRATION_PROCESS) and return the new case's id."""
    ui.get("/daftar")
    done = ui.post("/daftar", {"kind": kind, "full_name": "CV Daftar Sendiri", "email": f"{username}@example.id",
                               "username": username, "password": PASSWORD, "password_again": PASSWORD}, expect=302)
    assert done.headers["Location"].startswith("/tugas/"), done.headers["Location"]
    page = ui.get(done.headers["Location"]).get_data(as_text=True)
    assert ("Isi formulir pendaftaran penyedia" if kind == "penyedia" else "non-penyedia") in page
    case = ui.client.get("/api/v1/process-instances", headers={"X-CSRFToken": ui.csrf}).get_json()["items"][0]
    assert case["process_id"] == "registrasi_pengguna" and case["state"] == "running"
    return case["id"]


def _form(sop, username: str) -> dict:
    scans = {k: sop.upload(f"{k}.pdf", as_=username) for k in ("ktp", "akta_pendirian", "dok_npwp", "izin_usaha")}
    return formulir_penyedia(sop, nama_pengguna=username, **scans)


def _outcome(ui) -> str:
    return ui.get("/permohonan").get_data(as_text=True)


def test_approval_verifies_the_self_registered_account_with_its_role(app, sop, ui, db):
    assert app.config["REGISTRATION_PROCESS"] == "registrasi_pengguna"
    case_id = _daftar(ui, "cvdaftar")
    sop.do(case_id, "formulir_penyedia", "cvdaftar", _form(sop, "cvdaftar"))
    assert [t["element_id"] for t in sop.case(case_id)["tasks"]] == ["periksa_kelengkapan"]  # not "taken"
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", setuju())
    page = _outcome(ui)
    assert 'data-outcome="disetujui"' in page
    assert arsipkan(sop, case_id)["state"] == "completed"
    token = sop.api.client.post("/api/v1/auth/token", json={"username": "cvdaftar",
                                                                  "password": "sandi-rahasia-penyedia"})
    assert token.status_code == 200 and token.get_json()["roles"] == ["penyedia"]
    types = [e["type"] for e in sop.events(case_id)]
    assert "account.verified" in types and "account.created" not in types and "registration.approved" in types
    with db.reader() as session:
        assert session.scalars(select(User.username).where(User.username == "cvdaftar")).all() == ["cvdaftar"]
        assert session.scalars(select(IdentitasPengguna.username)).all() == ["cvdaftar"]


def test_rejection_tells_the_self_registered_applicant_the_reason(sop, ui):
    case_id = _daftar(ui, "cvditolak")
    sop.do(case_id, "formulir_penyedia", "cvditolak", _form(sop, "cvditolak"))
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", {**setuju(), "asli_sesuai_salinan": False, "keputusan": "tolak",
                                                  "alasan_kode": "asli_tidak_sesuai",
                                                  "alasan": "Alamat pada akta berbeda"})
    page = _outcome(ui)
    assert 'data-outcome="ditolak"' in page
    assert "Alasan: Dokumen asli berbeda dengan salinan atau data daring" in page
    assert ". Alamat pada akta berbeda<" in page
    assert page.count('data-testid="reason"') == 1


def test_a_non_supplier_applicant_gets_the_non_supplier_form(sop, ui):
    case_id = _daftar(ui, "budi_ppk", kind="pengguna")
    assert [t["element_id"] for t in sop.case(case_id)["tasks"]] == ["formulir_non_penyedia"]


def test_an_initiator_cannot_take_over_someone_elses_user_id(sop, db):
    case_id = sop.start("registrasi_pengguna", as_="penyedia")["id"]
    sop.do(case_id, "formulir_penyedia", "penyedia", formulir_penyedia(sop, nama_pengguna="pengguna"))
    rejected = sop.of_type(case_id, "registration.rejected")
    assert [r["data"]["alasan_kode"] for r in rejected] == ["user_id_terpakai"]
