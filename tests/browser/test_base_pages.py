"""The shared page frame in a real browser: sign in, the header with user and roles, the language
switch, sign out; the API docs page runs swagger-ui from the npm assets under the CSP."""
from __future__ import annotations


def test_sign_in_header_language_switch_and_sign_out(page, sign_in):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    sign_in(page, "kepala")
    assert page.locator('[data-testid="current-user"]').inner_text() == "kepala"
    assert page.locator('.role[data-role="kepala"]').inner_text() == "Kepala LPSE"
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector('html[lang="en"]')
    assert page.locator('.role[data-role="kepala"]').inner_text() == "Head of the LPSE"
    assert page.locator("button", has_text="Sign out").is_visible()
    page.click(".lang-switch button[value=id]")
    page.wait_for_selector('html[lang="id"]')
    page.click("button:has-text('Keluar')")
    page.wait_for_url("**/masuk")
    assert page.locator(".flash").first.inner_text() == "Anda telah keluar."
    assert errors == []


def test_a_wrong_password_is_told_plainly(page):
    page.goto("/masuk")
    page.fill("input[name=username]", "kepala")
    page.fill("input[name=password]", "bukan-sandinya")
    page.click("form.stack button[type=submit]")
    assert page.locator('[data-testid="login-error"]').inner_text() == "Nama pengguna atau kata sandi salah."


def test_the_api_docs_page_renders_the_openapi_document(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/tasks").count() >= 1
    assert errors == []
