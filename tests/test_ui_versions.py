"""The read-only versions pages: analysts see every process, each version's who, when, hash and changes,
and download any version; the case timeline names a migration."""
from __future__ import annotations

from conftest import BPMN

V2 = BPMN / "versions" / "dua_lajur_v2_catat.bpmn"


def test_an_analyst_reads_the_versions_and_downloads_one(api, ui):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.deploy(V2)
    ui.login("analis")
    index = ui.get("/versi-proses").get_data(as_text=True)
    assert 'data-process="uji_dua_lajur"' in index and "v2" in index
    page = ui.get("/versi-proses/uji_dua_lajur").get_data(as_text=True)
    assert page.index('data-version="2"') < page.index('data-version="1"')
    assert 'data-change="added">+ ditambah: Catat hasil <code>catat</code>' in page
    assert "periksa</code> <span class=\"muted\">(outputs)" in page and "versi pertama" in page
    download = ui.get("/api/v1/process-definitions/uji_dua_lajur/versions/1/xml")
    assert download.data == (BPMN / "two_lanes.bpmn").read_bytes()
    ui.get("/versi-proses/tidak_ada", expect=404)


def test_the_versions_pages_are_for_analysts_the_head_and_auditors(api, app):
    from conftest import Browserless

    api.deploy(BPMN / "two_lanes.bpmn")
    for role, status in (("kepala", 200), ("auditor", 200), ("verifikator", 403), ("penyedia", 403)):
        browser = Browserless(app.test_client())
        browser.login(role)
        browser.get("/versi-proses/uji_dua_lajur", expect=status)


def test_the_case_timeline_names_a_migration(api, ui):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    api.deploy(V2)
    api.call("POST", f"/api/v1/process-instances/{case['id']}/migrate", as_="analis", expect=200,
             json={"version": 2, "reason": "SOP direvisi"})
    ui.login("kepala")
    page = ui.get(f"/kasus/{case['id']}").get_data(as_text=True)
    assert "Kasus dipindahkan ke versi lain" in page and "SOP direvisi" in page
