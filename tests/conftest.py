"""Layered fixtures: database URL -> app -> client, the same tests on SQLite and (when configured) PostgreSQL.

SQLite: the schema is migrated once into a template file, and every test gets its own copy.
PostgreSQL (``ALUR_TEST_DATABASE_URL``): the schema is rebuilt once per run, and every test starts
from empty tables.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import clock, migrate
from engine.models import User
from engine.roles import ROLES
from engine.services.accounts import hash_password

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
