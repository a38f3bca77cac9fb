"""Issue 4's acceptance flow on the real registration SOP of workflows/bpmn (the default
ALUR_REGISTRATION_PROCESS), in headless Chromium: a supplier registers at /daftar and fills in the SOP's
own form with its scans, the helpdesk finds the copies complete, the verifikator finds the request in the
inbox, opens the diagram and decides; the supplier then signs in with the password of the form and sees
the approval, or the reason of the refusal."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from scenarios.conftest import BPMN_DIR, Sop
from scenarios.test_sop_a_registrasi import lengkap

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRST_PASSWORD = "sandi-daftar-awal-1"
FORM_PASSWORD = "sandi-formulir-cv-2"
TEXT = {"nama_perusahaan": "CV Sumber Rejeki", "nib": "9120001234567", "npwp": "01.300.066.6-091.000",
        "nama_penanggung_jawab": "Siti Rahayu", "jabatan": "Direktur", "nik": "3572014501900001",
        "alamat": "Jl. Merdeka 1", "provinsi": "Jawa Timur", "kota": "Blitar", "email": "cv.sr@example.id",
        "telepon": "+62 812-3456-7890", "kata_sandi": FORM_PASSWORD}
SCANS = ("ktp", "akta_pendirian", "dok_npwp", "izin_usaha")


@pytest.fixture
def real_sop(app, api, tmp_path):
    assert app.config["REGISTRATION_PROCESS"] == "registrasi_pengguna"
    api.deploy(*sorted(BPMN_DIR.glob("*.bpmn")))
    scan = tmp_path / "salinan.pdf"
    scan.write_bytes(PDF)
    return scan


def _choose(page, name: str, value: str) -> None:
    if page.locator(f"select[name={name}]").count():
        page.select_option(f"select[name={name}]", value)
    else:
        page.check(f"input[name={name}][value={value}]")


def _register(page, scan: Path, username: str) -> int:
    page.goto("/daftar")
    page.fill("input[name=full_name]", "CV Sumber Rejeki")
    page.fill("input[name=email]", "cv.sr@example.id")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", FIRST_PASSWORD)
    page.fill("input[name=password_again]", FIRST_PASSWORD)
    page.click("button:has-text('Daftar')")
    page.wait_for_selector('[data-testid="task-name"]:has-text("Isi formulir pendaftaran penyedia")')
    for name, value in {**TEXT, "nama_pengguna": username}.items():
        page.fill(f"[name={name}]", value)
    _choose(page, "bentuk_usaha", "cv")
    _choose(page, "diwakilkan", "false")
    for name in SCANS:
        page.set_input_files(f"input[name={name}]", str(scan))
    page.click("button[data-action=complete]")
    page.wait_for_selector(".flash.success")
    assert re.search(r"/kasus/\d+$", page.url), page.url
    return int(page.url.rsplit("/", 1)[1])


def _verifier_decides(page, sign_in, case_id: int, decision: dict) -> None:
    sign_in(page, "verifikator")
    row = page.locator(f'tr[data-instance="{case_id}"]')
    assert row.locator("td").first.inner_text().startswith("Verifikasi dokumen asli")
    row.locator(f'a[href="/kasus/{case_id}"]').click()
    page.wait_for_selector('#diagram[data-status="rendered"]')
    assert page.locator('.djs-element.alur-done[data-element-id="formulir_penyedia"]').count() == 1
    assert page.locator('.djs-element.alur-active[data-element-id="verifikasi"]').count() == 1
    page.click('a[data-open-task="verifikasi"]')
    page.wait_for_selector('[data-testid="task-name"]:has-text("Verifikasi dokumen asli")')
    for name, value in decision.items():
        if name == "alasan":
            page.fill(f"[name={name}]", value)
        else:
            _choose(page, name, value)
    page.click("button[data-action=complete]")
    page.wait_for_url("**/kotak-masuk")


def _supplier_sees(page, sign_in, username: str, password: str):
    sign_in(page, username, password)
    assert page.url.endswith("/permohonan")
    return page.locator('[data-testid="outcome"]').first


MATCHES = {"asli_sesuai_salinan": "true", "data_daring_sesuai": "true", "identitas_terautentikasi": "true"}


def test_a_supplier_registers_through_the_real_sop_and_is_approved(real_sop, page, new_page, sign_in, api):
    case_id = _register(page, real_sop, "cv_sumber")
    page.click("button:has-text('Keluar')")
    lengkap(Sop(api), case_id)  # the helpdesk: copies complete, not blacklisted
    _verifier_decides(new_page(), sign_in, case_id, {**MATCHES, "keputusan": "setuju"})
    # The account is verified with the role penyedia and the password chosen in the SOP's form.
    outcome = _supplier_sees(page, sign_in, "cv_sumber", FORM_PASSWORD)
    assert outcome.locator("[data-outcome]").inner_text() == "disetujui"
    token = api.client.post("/api/v1/auth/token", json={"username": "cv_sumber", "password": FORM_PASSWORD})
    assert token.get_json()["roles"] == ["penyedia"]


def test_the_refusal_reason_of_the_real_sop_reaches_the_supplier(real_sop, page, new_page, sign_in, api):
    case_id = _register(page, real_sop, "cv_ditolak")
    page.click("button:has-text('Keluar')")
    lengkap(Sop(api), case_id)  # the helpdesk: copies complete, not blacklisted
    _verifier_decides(new_page(), sign_in, case_id, {**MATCHES, "asli_sesuai_salinan": "false", "keputusan": "tolak",
                                                     "alasan_kode": "asli_tidak_sesuai",
                                                     "alasan": "Alamat pada akta berbeda."})
    # Refused: the account keeps the password of /daftar (the form's was never applied).
    outcome = _supplier_sees(page, sign_in, "cv_ditolak", FIRST_PASSWORD)
    assert outcome.locator("[data-outcome]").inner_text() == "ditolak"
    reason = outcome.locator('[data-testid="reason"]').inner_text()
    assert reason.startswith("Alasan: Dokumen asli berbeda") and reason.endswith("Alamat pada akta berbeda.")
