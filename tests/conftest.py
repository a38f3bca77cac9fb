"""Layered fixtures: database URL -> app -> client, the same tests on SQLite and (when configured) PostgreSQL.

SQLite: the schema is migrated once into a template file, and every test gets its own copy.
PostgreSQL (``ALUR_TEST_DATABASE_URL``): the schema is rebuilt once per run, and every test starts
from empty tables.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import clock, migrate
from engine.models import User
from engine.roles import ROLES
from engine.services.accounts import hash_password

import uji_forms  # noqa: E402,F401 - registers the forms the test diagrams name

HERE = Path(__file__).resolve().parent
BPMN = HERE / "bpmn"
PASSWORD = "rahasia-uji-123"
PG_URL = os.environ.get("ALUR_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "alur.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema():
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(PG_URL)
    return PG_URL


def _tables(url: str) -> list[str]:
    from engine.models import Base

    return [t.name for t in reversed(Base.metadata.sorted_tables)]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    clock.reset()
    if request.param == "sqlite":
        target = tmp_path / "alur.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("pg_schema")
        engine = create_engine(url)
        with engine.begin() as conn:
            names = ", ".join(_tables(url) + [t for t in _extra_pg_tables(conn)])
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield url
    clock.reset()


def _extra_pg_tables(conn) -> list[str]:
    known = set(_tables(""))
    rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    return [r for r in rows if r not in known and r != "alembic_version"]


@pytest.fixture
def app(database_url, tmp_path, password_hash):
    from web.app import create_app

    from engine.services.accounts import forget_principals

    forget_principals()  # user ids repeat from one test database to the next
    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "VAR_DIR": str(tmp_path),
                              "LOG_LEVEL": "WARNING"})
    db = application.extensions["alur_db"]
    with db.unit_of_work() as session:
        for role in ROLES:
            session.add(User(username=role, password_hash=password_hash, full_name=f"Uji {role}", email=None,
                             roles=[role], is_active=True, is_demo=True, token_generation=0, created_at=clock.now()))
    yield application
    db.dispose()


@pytest.fixture
def db(app):
    return app.extensions["alur_db"]


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """A thin helper over the test client: sign in as a role, call the API, assert the status."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.json
            self.tokens[username] = r.json["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, as_: str | None = None, expect: int | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        # A large upload is spooled to a temporary file by the test client: close it now, not at gc.
        response.request.environ["wsgi.input"].close()
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_json())
        return response

    def deploy(self, *paths: Path, as_: str = "analis", expect: int = 201):
        files = [(open(p, "rb"), p.name) for p in paths]
        try:
            return self.call("POST", "/api/v1/process-definitions", as_=as_, expect=expect,
                             data={"file": files}, content_type="multipart/form-data")
        finally:
            for f, _ in files:
                f.close()

    def start(self, process: str, data: dict | None = None, as_: str = "penyedia", expect: int = 201):
        return self.call("POST", "/api/v1/process-instances", as_=as_, expect=expect,
                         json={"process": process, "data": data or {}}).get_json()

    def inbox(self, as_: str, **query):
        return self.call("GET", "/api/v1/tasks", as_=as_, expect=200, query_string=query).get_json()

    def complete(self, task_id: str, data: dict | None = None, as_: str = "penyedia", expect: int = 200):
        return self.call("POST", f"/api/v1/tasks/{task_id}/complete", as_=as_, expect=expect,
                         json={"data": data or {}}).get_json()


@pytest.fixture
def api(client) -> Api:
    return Api(client)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered page (every form carries it in a hidden field)."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Browserless:
    """The UI through the test client, like a browser without JavaScript: sign in, get a page, post a form."""

    def __init__(self, client):
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD, expect: int = 302):
        self.csrf = csrf_from(self.client.get("/masuk").get_data(as_text=True))
        response = self.client.post("/masuk", data={"username": username, "password": password,
                                                    "csrf_token": self.csrf})
        assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:500])
        if response.status_code == 302:  # a new session has a new CSRF token
            self.csrf = csrf_from(self.client.get("/beranda").get_data(as_text=True))
        return response

    def get(self, path: str, expect: int | None = 200, **kwargs):
        response = self.client.get(path, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (path, response.status_code, response.get_data(as_text=True)[:800])
        html = response.get_data(as_text=True)
        if 'name="csrf_token"' in html:
            self.csrf = csrf_from(html)
        return response

    def post(self, path: str, data: dict | None = None, expect: int | None = None, **kwargs):
        payload = {"csrf_token": self.csrf, **(data or {})}
        response = self.client.post(path, data=payload, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (path, response.status_code, response.get_data(as_text=True)[:800])
        return response


@pytest.fixture
def ui(client) -> Browserless:
    return Browserless(client)


# --- the browser: the real app on a free port, Debian's Chromium driven by Playwright ---------------
# Reusable by every page test (tests/browser/):
#
#     def test_something(page, sign_in):
#         sign_in(page, "verifikator")
#         page.goto("/kotak-masuk")
#
# ``live_server`` serves the same ``app`` (and so the same test database) the other fixtures use: data
# made through ``api`` or ``db`` is visible in the browser. ``page`` is a fresh browser context (its own
# cookies) with ``base_url`` set, so ``page.goto("/path")`` works; ``new_page()`` opens another one, to
# act as a second person at the same time. Playwright never downloads a browser of its own here.

CHROMIUM = os.environ.get("ALUR_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_server(app):
    """The real application on 127.0.0.1 and a free port, served by threaded werkzeug in this process."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"The browser tests need Debian's Chromium at {CHROMIUM}; ./scripts/test installs it "
                    f"(apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open another independent browser (own cookies): ``other = new_page()``."""
    contexts = []

    def open_page(locale: str = "id-ID"):
        context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id="Asia/Jakarta",
                                      viewport={"width": 1280, "height": 860})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sign_in():
    """``sign_in(page, username)``: through the real sign-in form; the demo password of the test accounts."""

    def sign_in_as(page, username: str, password: str = PASSWORD):
        page.goto("/masuk")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.stack button[type=submit]")
        page.wait_for_selector('[data-testid="current-user"]')
        return page

    return sign_in_as


@pytest.fixture
def screenshot():
    """``screenshot(page, "inbox")`` saves docs/screenshots/inbox.png (shown in the README)."""

    def save(page, name: str, **kwargs):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), **kwargs)
        return path

    return save
