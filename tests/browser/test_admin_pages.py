"""The admin pages in headless Chromium: admin_sistem creates a webhook and sees its secret once, sees the
delivery in the log with its status code and latency, resolves an incident with a reason; a verifikator
sees the unread count in the header; sekretariat finds a refused e-mail and sends it to a corrected
address. Saves docs/screenshots/admin-webhooks.png."""
from __future__ import annotations

import re

from conftest import BPMN
from test_notifications import APPLICANT, register_and_decide, smtp  # noqa: F401 - fixture
from test_webhooks import deliver_until_idle, receiver  # noqa: F401 - fixture


def _no_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_admin_creates_a_webhook_sees_the_secret_once_and_the_delivery_log(app, api, page, sign_in, receiver,
                                                                          screenshot):
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    errors = _no_errors(page)
    sign_in(page, "admin_sistem")
    page.click('nav.mainnav a[data-nav="admin.webhooks"]')
    page.wait_for_selector('[data-testid="no-webhooks"]')
    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=events]", "task.created, instance.started")
    page.fill("input[name=description]", "Aplikasi SPSE")
    page.click("[data-testid=webhook-form] button[type=submit]")
    secret = page.locator('[data-testid="webhook-secret"]').inner_text()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    page.click("text=Saya sudah menyimpannya")
    page.wait_for_selector('[data-testid="webhook-state"]')
    assert secret not in page.content()

    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    deliver_until_idle(app)
    assert receiver.wait_for(2)
    page.reload()
    rows = page.locator('[data-testid="delivery-log"] tbody tr[data-state="delivered"]')
    assert rows.count() == 2
    assert rows.first.locator('[data-testid="delivery-status"]').inner_text() == "200"
    assert re.fullmatch(r"\d+ ms", rows.first.locator('[data-testid="delivery-latency"]').inner_text())
    screenshot(page, "admin-webhooks", full_page=True)
    page.goto("/admin/webhook")
    assert secret not in page.content() and receiver.url in page.content()
    assert errors == []


def test_admin_resolves_an_incident_with_a_reason(api, page, sign_in):
    api.deploy(BPMN / "failing.bpmn")
    case = api.start("uji_galat", {"pembagi": 0}, as_="admin_sistem")
    api.complete(case["tasks"][0]["id"], as_="admin_sistem")
    sign_in(page, "admin_sistem")
    page.click('nav.mainnav a[data-nav="admin.incidents_page"]')
    row = page.locator('tr[data-status="open"]')
    assert row.count() == 1 and "hitung" in row.inner_text()
    row.locator("button[data-action=resolve]").click()  # no reason: told what to write, nothing changes
    assert "Tulis alasannya" in page.locator(".field-errors").inner_text()
    page.locator('tr[data-status="open"] textarea[name=reason]').fill("Pembagi diperbaiki, kasus diulang manual")
    page.locator('tr[data-status="open"] button[data-action=resolve]').click()
    page.wait_for_selector('tr[data-status="resolved"]')
    resolution = page.locator('[data-testid="incident-resolution"]').inner_text()
    assert resolution == "Pembagi diperbaiki, kasus diulang manual"


def test_the_header_shows_the_unread_count_and_leads_to_the_list(api, page, sign_in):
    api.deploy(BPMN / "two_lanes.bpmn")
    for _ in range(3):
        case = api.start("uji_dua_lajur")
        api.complete(case["tasks"][0]["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    sign_in(page, "verifikator")
    assert page.locator('[data-testid="unread-count"]').inner_text() == "3"
    page.click("a.bell")
    page.wait_for_selector('[data-testid="notification-list"]')
    page.locator('li[data-read="0"] button[data-action=read]').first.click()
    page.wait_for_selector('[data-testid="notification-list"]')
    assert page.locator('[data-testid="unread-count"]').inner_text() == "2"
    page.check("input[name=task_email][value=digest]")
    page.click("[data-testid=settings-form] button[type=submit]")
    assert page.locator("input[name=task_email][value=digest]").is_checked()


def test_sekretariat_sees_a_refused_email_and_sends_it_again(app, api, page, sign_in, smtp):  # noqa: F811
    smtp.refuse_rcpt["tidakada@majujaya.co.id"] = "550 5.1.1 No such user"
    api.deploy(BPMN / "notifikasi.bpmn")
    case = register_and_decide(api, {**APPLICANT, "email_pemohon": "tidakada@majujaya.co.id"}, {"disetujui": True})
    assert case["state"] == "completed"  # the refused e-mail never holds the case up
    deliver_until_idle(app)
    sign_in(page, "sekretariat")
    page.click('nav.mainnav a[data-nav="notifications_page.failures"]')
    row = page.locator("[data-testid=failure-list] tbody tr").first
    assert row.locator('[data-testid="failure-recipient"]').inner_text() == "tidakada@majujaya.co.id"
    assert "550" in row.locator('[data-testid="failure-error"]').inner_text()
    row.locator("input[name=recipient]").fill("direktur@majujaya.co.id")
    row.locator("button[data-action=resend]").click()
    page.wait_for_selector(".flash.success")
    assert "direktur@majujaya.co.id" in page.locator(".flash.success").inner_text()
    deliver_until_idle(app)
    assert [rcpt for _s, rcpt, *_ in smtp.messages] == [["direktur@majujaya.co.id"]]
