"""An analyst opens the versions of a process in a real browser: from the header, the list of processes,
then one process's versions with what each changed, and downloads the first version's file."""
from __future__ import annotations

from conftest import BPMN


def test_an_analyst_reads_the_versions_of_a_process(api, page, sign_in, screenshot):
    api.deploy(BPMN / "two_lanes.bpmn")
    api.deploy(BPMN / "versions" / "dua_lajur_v2_catat.bpmn")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "analis")
    page.click("nav >> text=Versi proses")
    page.click('[data-process="uji_dua_lajur"] a')
    rows = page.locator('[data-testid="versions"] tbody tr')
    assert rows.count() == 2 and rows.first.get_attribute("data-version") == "2"
    assert "Catat hasil" in page.locator('[data-version="2"] [data-change="added"]').inner_text()
    assert page.locator('[data-version="1"]').inner_text().count("versi pertama") == 1
    with page.expect_download() as info:
        page.click('[data-version="1"] a[download]')
    with open(info.value.path(), "rb") as downloaded:
        assert downloaded.read() == (BPMN / "two_lanes.bpmn").read_bytes()
    screenshot(page, "versions")
    assert errors == []
