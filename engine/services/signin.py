"""Signing in with a password, rate-limited per account and per client address.

The throttle counts failures in the database (``login_failures``), so it holds across every gunicorn
worker and every machine: after ``LOGIN_ATTEMPTS`` failures for one username, or four times that from
one address, within ``LOGIN_WINDOW_SECONDS``, further attempts are refused with 429 until the oldest
failure leaves the window. A success clears the account's failures. The browser sign-in and the API
token endpoint both come through here.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select

from .. import clock
from ..db import Database
from ..errors import Forbidden, TooManyRequests, Unauthorized
from ..models import LoginFailure
from ..principal import Principal
from . import accounts

IP_FACTOR = 4


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    return [(f"user:{username.strip().lower()[:100]}", 1)] + ([(f"ip:{address[:100]}", IP_FACTOR)] if address else [])


def sign_in(db: Database, username: str, password: str, address: str | None, config: dict) -> Principal:
    """The principal for a correct username and password; 401 wrong, 403 deactivated, 429 throttled."""
    attempts = int(config["LOGIN_ATTEMPTS"])
    window = timedelta(seconds=int(config["LOGIN_WINDOW_SECONDS"]))
    keys = _keys(username or "", address)
    now = clock.now()
    with db.reader() as session:
        for key, factor in keys:
            count, oldest = session.execute(select(func.count(), func.min(LoginFailure.at))
                                            .where(LoginFailure.key == key, LoginFailure.at > now - window)).one()
            if count >= attempts * factor:
                wait = max(1, int((oldest + window - now).total_seconds()) + 1)
                raise TooManyRequests(
                    f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait} detik. / "
                    f"Too many failed sign-in attempts; try again in {wait} seconds.", retry_after=wait)
    try:
        principal = accounts.authenticate(db, username, password)
    except (Unauthorized, Forbidden):
        _record_failure(db, keys, now, window)
        raise
    with db.unit_of_work() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0][0]))
    return principal


def _record_failure(db: Database, keys: list[tuple[str, int]], now, window: timedelta) -> None:
    with db.unit_of_work() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))  # nothing kept longer
        session.execute(insert(LoginFailure), [{"key": key, "at": now} for key, _ in keys])


def generation(db: Database, user_id: int) -> int:
    """The account's token generation, stored in a browser session so deactivation ends it."""
    from ..models import User

    with db.reader() as session:
        return int(session.scalar(select(User.token_generation).where(User.id == user_id)) or 0)
