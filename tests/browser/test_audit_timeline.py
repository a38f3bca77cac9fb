"""The auditor's pages in headless Chromium: the timeline's slider steps the diagram through the case's
replayed history (the highlighted elements and the data diff change), and the compliance view lists the
obligations the case carried out."""
from __future__ import annotations

from datetime import timedelta

from engine import clock

from incident_case import CATAT, SELESAI, SOPS
from incident_case import do as _do


def _shown(page, upto: int) -> None:
    page.wait_for_selector(f'#replay[data-status="shown"][data-upto="{upto}"]')


def test_the_auditor_steps_a_case_through_its_history(api, page, sign_in, screenshot):
    api.deploy(*sorted(SOPS.glob("*.bpmn")))
    case = api.start("penanganan_masalah", as_="layanan")
    _do(api, case["id"], "catat", "layanan", CATAT)
    clock.advance(timedelta(days=2))
    _do(api, case["id"], "tangani", "admin_sistem", SELESAI)
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor").get_json()["items"]
    seq = {(e["type"], e["element_id"]): e["seq"] for e in events}
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, "auditor")
    page.goto("/audit")
    page.click(f'tr[data-instance="{case["id"]}"] [data-testid="open-timeline"]')
    page.wait_for_selector('[data-testid="journal-verified"]')
    diagram = page.locator("#diagram")
    _shown(page, len(events))  # opens at the last event: confirmation is the active task
    assert diagram.get_attribute("data-active") == "konfirmasi"
    assert page.locator(".djs-element.alur-active[data-element-id=konfirmasi]").count() == 1

    slider = page.locator('[data-testid="timeline-slider"]')
    slider.fill(str(seq[("task.ready", "catat")]))  # the very start: only the recording task is open
    _shown(page, seq[("task.ready", "catat")])
    assert diagram.get_attribute("data-active") == "catat"
    assert page.locator(".djs-element.alur-active[data-element-id=catat]").count() == 1
    assert page.locator(".djs-element.alur-done[data-element-id=tangani]").count() == 0
    assert page.locator('[data-testid="replay-tasks"] li[data-element="catat"]').count() == 1

    slider.fill(str(seq[("task.completed", "catat")]))  # the incident recorded: its data appears in the diff
    _shown(page, seq[("task.completed", "catat")])
    assert "tangani" in diagram.get_attribute("data-active").split()
    assert "catat" in diagram.get_attribute("data-done").split()
    assert page.locator('[data-testid="diff"] tr[data-key="urgensi"] td.after').inner_text() == "rendah"
    assert page.locator('[data-testid="diff"] tr[data-key="prioritas"] td.after').inner_text() == "P3"
    assert page.locator('[data-testid="replay-tasks"] li[data-element="tangani"]').count() == 1
    assert "Tugas diselesaikan" in page.locator('[data-testid="step-label"]').inner_text()
    assert page.locator("ol.timeline li.current").get_attribute("data-seq") == str(seq[("task.completed", "catat")])
    screenshot(page, "audit-timeline", full_page=True)

    page.click('[data-testid="compliance-link"]')
    rows = page.locator('[data-testid="compliance"] tbody tr')
    rows.first.wait_for()
    assert page.locator('tr[data-element="catat"][data-status="tepat_waktu"]').count() >= 1
    assert page.locator('tr[data-element="tangani"][data-status="terlambat"]').count() >= 1
    assert "admin_sistem" in page.locator('tr[data-element="tangani"]').first.inner_text()
    assert errors == []
