"""The UI's foundations: sessions, CSRF, the sign-in throttle, languages, error pages, the npm assets."""
from __future__ import annotations

from datetime import timedelta

from conftest import PASSWORD, csrf_from

from engine import clock
from engine.services import accounts


def _cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("alur_session="))


def test_sign_in_starts_a_new_http_only_same_site_session(ui, client):
    ui.get("/masuk")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("alur_session").value
    response = ui.login("verifikator")
    cookie = _cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("alur_session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session and session["uid"] and session["gen"] == 0
    page = ui.get("/beranda").get_data(as_text=True)
    assert 'data-testid="current-user">verifikator<' in page and "Unit Registrasi dan Verifikasi" in page
    assert response.headers["Location"] == "/"


def test_every_form_needs_its_csrf_token(ui, client):
    page = ui.get("/masuk").get_data(as_text=True)
    token = csrf_from(page)
    refused = client.post("/masuk", data={"username": "kepala", "password": PASSWORD})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    forged = client.post("/masuk", data={"username": "kepala", "password": PASSWORD, "csrf_token": token + "x"})
    assert forged.status_code == 400
    ui.login("kepala")
    assert client.post("/keluar").status_code == 400  # sign-out too: nobody can sign you out from another site
    ui.get("/beranda")
    assert ui.post("/keluar").status_code == 302
    assert ui.get("/beranda", expect=302).headers["Location"].startswith("/masuk")


def test_the_api_needs_csrf_with_the_session_cookie_but_not_with_a_bearer_token(ui, client, api):
    ui.login("penyedia")
    body = {"process": "nothing", "data": {}}
    assert client.post("/api/v1/process-instances", json=body).status_code == 400
    with_header = client.post("/api/v1/process-instances", json=body, headers={"X-CSRFToken": ui.csrf})
    assert with_header.status_code == 404  # past CSRF and the role check: the process does not exist
    api.call("POST", "/api/v1/process-instances", as_="penyedia", json=body, expect=404)


def test_open_redirects_are_refused(ui, client):
    ui.get("/masuk")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = ui.post("/masuk", {"username": "kepala", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/", target
        ui.get("/beranda")
        ui.post("/keluar", expect=302)
        ui.get("/masuk")
    response = ui.post("/masuk", {"username": "kepala", "password": PASSWORD, "next": "/beranda?x=1"})
    assert response.headers["Location"] == "/beranda?x=1"


def test_sign_in_is_throttled_per_account_across_browser_and_api(ui, client, app):
    ui.get("/masuk")
    for _ in range(3):
        assert ui.post("/masuk", {"username": "kepala", "password": "salah"}).status_code == 401
    for _ in range(2):
        assert client.post("/api/v1/auth/token", json={"username": "kepala", "password": "salah"}).status_code == 401
    blocked = ui.post("/masuk", {"username": "kepala", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    api_blocked = client.post("/api/v1/auth/token", json={"username": "kepala", "password": PASSWORD})
    assert api_blocked.status_code == 429 and api_blocked.content_type == "application/problem+json"
    # Other accounts are not affected; the account opens again once the window has passed.
    ui.login("sekretariat")
    ui.post("/keluar")
    clock.advance(timedelta(seconds=int(app.config["LOGIN_WINDOW_SECONDS"]) + 1))
    ui.login("kepala")


def test_a_deactivated_account_loses_its_session(ui, client, db):
    ui.login("layanan")
    ui.get("/beranda")
    with db.unit_of_work() as session:
        accounts.deactivate(session, "layanan")
    response = ui.get("/beranda", expect=302)
    assert response.headers["Location"].startswith("/masuk")
    with client.session_transaction() as session:
        assert "uid" not in session
    page = ui.get("/masuk").get_data(as_text=True)
    assert "Sesi Anda berakhir" in page or "dinonaktifkan" in page
    assert ui.post("/masuk", {"username": "layanan", "password": PASSWORD}).status_code == 403


def test_indonesian_first_english_on_request(ui, client):
    page = ui.get("/masuk").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk ke Alur" in page and "Kata sandi" in page
    ui.post("/bahasa", {"lang": "en", "next": "/masuk"}, expect=302)
    page = ui.get("/masuk").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in to Alur" in page and "Password" in page
    ui.login("verifikator")  # the language survives signing in
    assert "Registration and verification" in ui.get("/beranda").get_data(as_text=True)
    ui.post("/bahasa", {"lang": "xx", "next": "/beranda"}, expect=302)
    assert '<html lang="en">' in ui.get("/beranda").get_data(as_text=True)


def test_pages_get_html_errors_and_security_headers_while_the_api_keeps_problem_json(ui, client):
    ui.login("auditor")
    page = ui.get("/tidak-ada", expect=404)
    assert page.content_type.startswith("text/html") and "Tidak ditemukan" in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    api = client.get("/api/v1/process-instances/999")
    assert api.status_code == 404 and api.content_type == "application/problem+json"


def test_npm_assets_are_served_from_node_modules_and_nothing_else(client):
    viewer = client.get("/vendor/bpmn-js/bpmn-viewer.production.min.js")
    assert viewer.status_code == 200 and b"BpmnJS" in viewer.get_data()[:400000]
    viewer.close()
    css = client.get("/vendor/bpmn-js/assets/bpmn-js.css")
    assert css.status_code == 200
    css.close()
    for path in ("/vendor/bpmn-js/../package.json", "/vendor/bpmn-js/..%2f..%2fpackage.json",
                 "/vendor/left-pad/index.js", "/vendor/swagger-ui-dist/package.json"):
        assert client.get(path).status_code == 404, path
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.get_data()
