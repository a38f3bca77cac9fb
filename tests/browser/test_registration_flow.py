"""The issue's acceptance test, in headless Chromium: a supplier registers with documents, the
verifikator finds the request in the inbox, looks at the case diagram and approves, and the supplier
sees the approval; on the rejection path the supplier sees the reason. Saves the README's screenshots."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from conftest import BPMN

from engine import clock

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUPPLIER_PASSWORD = "sandi-cv-maju-2026"


@pytest.fixture
def registration(app, api):
    app.config["REGISTRATION_PROCESS"] = "uji_registrasi"
    api.deploy(BPMN / "registrasi_uji.bpmn")
    api.deploy(BPMN / "two_lanes.bpmn")


@pytest.fixture
def scans(tmp_path):
    paths = {}
    for name in ("ktp.pdf", "akta-pendirian.pdf"):
        paths[name] = tmp_path / name
        paths[name].write_bytes(PDF)
    (tmp_path / "virus.exe").write_bytes(b"MZ\x90\x00 not a scan")
    paths["virus.exe"] = tmp_path / "virus.exe"
    return paths


def _register(page, scans, screenshot=None):
    page.goto("/")
    page.click("text=Daftar sebagai pengguna SPSE")
    page.fill("input[name=full_name]", "CV Maju Jaya")
    page.fill("input[name=email]", "admin@majujaya.example")
    page.fill("input[name=username]", "cv_maju")
    page.fill("input[name=password]", SUPPLIER_PASSWORD)
    page.fill("input[name=password_again]", SUPPLIER_PASSWORD)
    page.click("button:has-text('Daftar')")
    # The account exists and the request started: the supplier lands on the SOP's first form.
    page.wait_for_selector('[data-testid="task-name"]:has-text("Isi formulir dan unggah dokumen")')
    assert page.locator('[data-testid="current-user"]').inner_text() == "cv_maju"

    page.fill("input[name=nama_perusahaan]", "CV Maju Jaya")
    page.fill("input[name=npwp]", "12.345")  # wrong on purpose
    page.select_option("select[name=bentuk_usaha]", "CV")
    page.set_input_files("input[name=ktp]", str(scans["ktp.pdf"]))
    page.set_input_files("input[name=akta]", str(scans["virus.exe"]))
    page.click("button[data-action=complete]")
    page.wait_for_selector('[data-testid="form-errors"]')
    assert "NPWP 15 atau 16 angka" in page.locator('[data-field="npwp"] .field-errors').inner_text()
    assert "Hanya PDF, JPEG atau PNG" in page.locator('[data-field="akta"] .field-errors').inner_text()
    # What was right is kept: the typed company name and the accepted KTP scan.
    assert page.input_value("input[name=nama_perusahaan]") == "CV Maju Jaya"
    assert "ktp.pdf" in page.locator('[data-field="ktp"] [data-kept]').inner_text()
    if screenshot:
        screenshot(page, "task-form", full_page=True)
    page.fill("input[name=npwp]", "012345678901234")
    page.set_input_files("input[name=akta]", str(scans["akta-pendirian.pdf"]))
    page.click("button[data-action=complete]")
    page.wait_for_selector(".flash.success")
    assert re.search(r"/kasus/\d+$", page.url)
    return int(page.url.rsplit("/", 1)[1])


def _verifier_opens(page, sign_in, case_id, screenshot=None, waiting=1):
    sign_in(page, "verifikator")
    assert page.url.endswith("/kotak-masuk")
    row = page.locator(f'tr[data-instance="{case_id}"]')
    assert row.locator("td").first.inner_text().startswith("Verifikasi dokumen")
    assert page.locator('[data-testid="count-uji_registrasi"]').inner_text() == str(waiting)
    first = page.locator("table.inbox tbody tr").first
    if waiting > 1:  # the overdue request comes first, marked
        assert "overdue" in first.get_attribute("class") and first.locator("[data-overdue]").count() == 1
    if screenshot:
        screenshot(page, "inbox", full_page=True)
    row.locator(f'a[href="/kasus/{case_id}"]').click()
    page.wait_for_selector('#diagram[data-status="rendered"]')
    assert page.locator('.djs-element.alur-done[data-element-id="isi_formulir"]').count() == 1
    assert page.locator('.djs-element.alur-active[data-element-id="verifikasi"]').count() == 1
    assert page.locator('.djs-element.alur-done[data-element-id="verifikasi"]').count() == 0
    timeline = page.locator('[data-testid="timeline"]').inner_text()
    assert "Kasus dimulai" in timeline and "Tugas diselesaikan: Isi formulir dan unggah dokumen" in timeline
    assert page.locator('[data-testid="journal-verified"]').count() == 1
    if screenshot:
        screenshot(page, "case-diagram", full_page=True)
    page.click('a[data-open-task="verifikasi"]')
    page.wait_for_selector('[data-testid="task-name"]:has-text("Verifikasi dokumen")')
    # The applicant's data and scans are beside the decision.
    assert page.locator('.case-data [data-key="nama_perusahaan"]').inner_text() == "CV Maju Jaya"
    assert page.locator(".documents a", has_text="akta-pendirian.pdf").count() == 1


def _supplier_sees(page, sign_in):
    sign_in(page, "cv_maju", SUPPLIER_PASSWORD)
    assert page.url.endswith("/permohonan")
    return page.locator('[data-testid="outcome"]').first


def test_a_supplier_registers_and_the_verifikator_approves(registration, scans, page, new_page, sign_in, screenshot,
                                                          api):
    # Other work in the inbox: an older registration now overdue, and two requests of another process.
    late = api.start("uji_registrasi", as_="pengguna")
    docs = [api.call("POST", "/api/v1/documents", as_="pengguna", expect=201, content_type="multipart/form-data",
                     data={"file": (io.BytesIO(PDF), "scan.pdf")}).get_json()["id"] for _ in range(2)]
    api.complete(late["tasks"][0]["id"], {"nama_perusahaan": "PT Lama", "npwp": "0123456789012345",
                                          "bentuk_usaha": "PT", "ktp": docs[0], "akta": docs[1]}, as_="pengguna")
    clock.advance(timedelta(days=2))
    for name in ("CV Sinar", "UD Makmur"):
        other = api.start("uji_dua_lajur", {"nama": name})
        api.complete(other["tasks"][0]["id"], {"alamat": "Blitar"})
    case_id = _register(page, scans, screenshot)
    page.click("button:has-text('Keluar')")

    verifier = new_page()
    _verifier_opens(verifier, sign_in, case_id, screenshot, waiting=2)

    verifier.check("input[name=disetujui][value=true]")
    verifier.click("button[data-action=complete]")
    verifier.wait_for_url("**/kotak-masuk")
    assert "selesai" in verifier.locator(".flash.success").inner_text()
    assert verifier.locator(f'tr[data-instance="{case_id}"]').count() == 0

    outcome = _supplier_sees(page, sign_in)
    assert outcome.locator("[data-outcome]").inner_text() == "disetujui"
    assert page.locator(f'tr[data-instance="{case_id}"] .badge[data-state]').inner_text() == "selesai"


def test_the_rejection_reason_reaches_the_supplier(registration, scans, page, new_page, sign_in):
    case_id = _register(page, scans)
    page.click("button:has-text('Keluar')")

    verifier = new_page()
    _verifier_opens(verifier, sign_in, case_id)
    verifier.check("input[name=disetujui][value=false]")
    verifier.fill("textarea[name=alasan]", "Akta pendirian tidak sesuai dengan aslinya.")
    verifier.click("button[data-action=complete]")
    verifier.wait_for_url("**/kotak-masuk")

    outcome = _supplier_sees(page, sign_in)
    assert outcome.locator("[data-outcome]").inner_text() == "ditolak"
    assert outcome.locator('[data-testid="reason"]').inner_text() == "Alasan: Akta pendirian tidak sesuai dengan aslinya."
    # The supplier's case page tells the same, in English too.
    page.click(f'a[href="/kasus/{case_id}"]')
    page.wait_for_selector('#diagram[data-status="rendered"]')
    assert page.locator('.djs-element.alur-done[data-element-id="tolak"]').count() == 1
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector('html[lang="en"]')
    assert "Task completed: Verifikasi dokumen" in page.locator('[data-testid="timeline"]').inner_text()
