"""The auditor pages without a browser: the case list, the timeline and the compliance view, read-only and
for the auditor and the head only (the slider itself is driven in tests/browser/test_audit_timeline.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import clock

from incident_case import CATAT, SELESAI, SOPS
from incident_case import do as _do


@pytest.fixture
def late_incident(api):
    """An incident recorded at once, handled two days later (its due is one day), still to be confirmed."""
    api.deploy(*sorted(SOPS.glob("*.bpmn")))
    case = api.start("penanganan_masalah", as_="layanan")
    _do(api, case["id"], "catat", "layanan", CATAT)
    clock.advance(timedelta(days=2))
    _do(api, case["id"], "tangani", "admin_sistem", SELESAI)
    return case["id"]


def test_the_timeline_page_shows_the_slider_the_journal_and_the_badge(ui, late_incident):
    ui.login("auditor")
    html = ui.get("/audit").get_data(as_text=True)
    assert f"/audit/kasus/{late_incident}" in html and "Linimasa" in html
    page = ui.get(f"/audit/kasus/{late_incident}").get_data(as_text=True)
    assert 'data-testid="timeline-slider"' in page and 'data-testid="journal-verified"' in page
    assert f'/api/v1/process-instances/{late_incident}/replay' in page
    assert page.count('data-step="') >= 10 and "Tugas diselesaikan" in page


def test_the_compliance_view_lists_each_obligation_who_when_and_the_service_level(ui, late_incident):
    ui.login("kepala")
    page = ui.get(f"/audit/kasus/{late_incident}/kepatuhan").get_data(as_text=True)
    assert 'data-testid="compliance"' in page
    # catat (19(1), due PT4H) done at once; tangani (19(1), due P1D) done after two days: late.
    assert 'data-element="catat" data-status="tepat_waktu"' in page
    assert 'data-element="tangani" data-status="terlambat"' in page
    assert 'data-element="konfirmasi" data-status="berjalan"' in page
    assert 'data-element="tercatat" data-status="otomatis"' in page
    assert "admin_sistem" in page and "handle technical problems" in page and "1 terlambat" in page


def test_the_compliance_rows_from_the_service(app, db, late_incident):
    from engine.principal import Principal
    from engine.services import compliance

    rows = compliance.obligations(db, late_incident, Principal("auditor", frozenset({"auditor"})))
    tasks = {(r.element_id, r.pasal): r for r in rows if r.kind == "task"}
    handled = tasks[("tangani", "19(1)")]
    assert handled.status == "terlambat" and handled.actor == "admin_sistem" and handled.role == "admin_sistem"
    assert handled.done_at - handled.opened_at >= timedelta(days=2) and handled.due == "P1D"
    assert handled.deadline == handled.opened_at + timedelta(days=1)
    assert tasks[("catat", "19(1)")].status == "tepat_waktu" and tasks[("konfirmasi", "19(1)")].done_at is None
    clock.advance(timedelta(days=3))
    again = compliance.obligations(db, late_incident, Principal("auditor", frozenset({"auditor"})))
    assert next(r for r in again if r.element_id == "konfirmasi").status == "lewat_batas"


def test_the_auditor_pages_are_in_english_on_request(ui, late_incident):
    ui.login("auditor")
    ui.post("/bahasa", {"lang": "en"})
    page = ui.get(f"/audit/kasus/{late_incident}/kepatuhan").get_data(as_text=True)
    assert "Compliance" in page and "late" in page


def test_only_the_auditor_and_the_head_open_the_auditor_pages(ui, late_incident):
    ui.login("verifikator")
    assert ui.get(f"/audit/kasus/{late_incident}", expect=None).status_code == 403
    assert ui.get("/audit", expect=None).status_code == 403
