"""The worker lease: on SQLite exactly one worker runs at a time.

SQLite serializes writers anyway, and ``FOR UPDATE SKIP LOCKED`` does not exist there, so a second
worker would only queue behind the first. Each worker on SQLite therefore takes the row ``worker`` of
``leases`` before doing anything, renews it on every pass, and gives it back when it stops. A worker
that finds the lease held stands by and takes over when the holder's lease expires, or at once when
the holder is a process of this machine that no longer exists (killed with -9). PostgreSQL needs no
lease: any number of workers share the due work row by row.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from . import clock
from .db import Database
from .models import Lease

log = logging.getLogger(__name__)
WORKER = "worker"
_token = uuid.uuid4().hex[:8]


def holder() -> str:
    """Who this process is: host, pid and a random token (so a reused pid is not mistaken for us)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_token}"


def acquire(db: Database, name: str = WORKER, ttl: float = 30.0) -> bool:
    """Take or renew the lease ``name`` for ``ttl`` seconds; False while another live process holds it."""
    me, now = holder(), clock.now()
    until = now + timedelta(seconds=ttl)
    with db.unit_of_work() as session:
        row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
        if row is None:
            try:
                with session.begin_nested():
                    session.execute(insert(Lease).values(name=name, holder=me, acquired_at=now, expires_at=until))
            except IntegrityError:
                return False
            return True
        if row.holder != me and row.expires_at > now and _alive(row.holder):
            return False
        values = {"holder": me, "expires_at": until}
        if row.holder != me:
            values["acquired_at"] = now
            log.info("worker lease taken over", extra={"previous": row.holder})
        taken = session.execute(update(Lease).where(Lease.name == name, Lease.holder == row.holder).values(**values))
        return taken.rowcount == 1


def release(db: Database, name: str = WORKER) -> None:
    with db.unit_of_work() as session:
        session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder())
                        .values(expires_at=clock.now()))


def current(db: Database, name: str = WORKER) -> str | None:
    with db.reader() as session:
        row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    return row.holder if row is not None and row.expires_at > clock.now() else None


def _alive(other: str) -> bool:
    """False only when ``other`` is certainly dead: a process of this machine whose pid is gone."""
    host, _, rest = other.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
