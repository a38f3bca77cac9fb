"""Database engine and sessions.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on; a unit of work that writes
starts with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing when one
upgrades its read lock. PostgreSQL (psycopg 3) needs nothing special: conflicts are caught by the
optimistic version column.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from . import freshness

_WRITE = "alur_write"


class Database:
    """One engine and its session factories; one per process (and per test database)."""

    def __init__(self, url: str, echo: bool = False):
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _create(url, self.is_sqlite, echo)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        self._writers = _WriterQueue(self.url.database) if self.is_sqlite else None

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One write transaction, committed once at the end or rolled back on any error."""
        with self._writers or contextlib.nullcontext(), self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                freshness.bump()  # read caches of this process drop what this write may have changed

    @contextlib.contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; never commits (closing it rolls back and keeps loaded objects readable)."""
        with self._read() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class _WriterQueue:
    """SQLite admits one writer at a time; its busy handler makes the others poll with sleeps of up to
    100 ms. Writers of every process on this machine queue on an advisory file lock instead, which the
    kernel hands over the moment it is released."""

    def __init__(self, database: str | None):
        self._thread_lock = threading.Lock()
        self._path = None if database in (None, "", ":memory:") else f"{database}.writers"
        self._fd: int | None = None

    def __enter__(self):
        self._thread_lock.acquire()
        if self._path is not None:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()
        return False


def _create(url: str, is_sqlite: bool, echo: bool) -> Engine:
    if not is_sqlite:
        # No pre-ping (a round trip per transaction): connections are recycled, and one that died with the
        # server fails its request once and is replaced.
        return create_engine(url, echo=echo, pool_recycle=1800, pool_size=10, max_overflow=20)
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
