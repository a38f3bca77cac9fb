"""Accounts, passwords (argon2id) and API tokens."""
from __future__ import annotations

import logging
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..db import Database
from ..errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ..models import User
from ..principal import Principal
from ..roles import ROLES

log = logging.getLogger(__name__)
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("timing-equaliser")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session, username: str, password: str, roles: list[str], *, full_name: str = "",
                email: str | None = None, is_demo: bool = False) -> User:
    """Add an account inside the caller's transaction (a service task may create one)."""
    errors = {}
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-@" for c in username):
        errors["username"] = ["Nama pengguna 1-64 huruf, angka atau ._-@ / Username: 1-64 letters, digits or ._-@"]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [f"Kata sandi minimal {MIN_PASSWORD} karakter / Password needs at least {MIN_PASSWORD} characters"]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        errors["roles"] = [f"Peran tidak dikenal / Unknown roles: {', '.join(unknown) or '(none given)'}; "
                           f"choose from {', '.join(ROLES)}"]
    if errors:
        raise ValidationFailed("invalid account", errors)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Nama pengguna \"{username}\" sudah dipakai. / Username \"{username}\" is taken.")
    user = User(username=username, password_hash=hash_password(password), full_name=full_name, email=email,
                roles=list(roles), is_active=True, is_demo=is_demo, token_generation=0, created_at=clock.now())
    session.add(user)
    session.flush()
    return user


def ensure_user(db: Database, username: str, password: str, roles: list[str], **kwargs) -> bool:
    """Create the account unless it exists; True when created."""
    try:
        with db.unit_of_work() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                return False
            create_user(session, username, password, roles, **kwargs)
            return True
    except IntegrityError:
        return False


def authenticate(db: Database, username: str, password: str) -> Principal:
    with db.reader() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        _hasher.verify(_DUMMY_HASH, "timing-equaliser")  # same time whether or not the user exists
        raise Unauthorized("Nama pengguna atau kata sandi salah. / Wrong username or password.")
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Nama pengguna atau kata sandi salah. / Wrong username or password.") from None
    if not user.is_active:
        raise Forbidden("Akun ini dinonaktifkan. / This account has been deactivated.")
    return Principal(user.username, frozenset(user.roles), user.id)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="alur-api-token")


def issue_token(db: Database, principal: Principal, secret: str) -> str:
    with db.reader() as session:
        generation = session.scalar(select(User.token_generation).where(User.id == principal.user_id))
    return _serializer(secret).dumps({"u": principal.user_id, "g": generation})


def principal_from_token(db: Database, token: str, secret: str, max_age: int) -> Principal:
    try:
        claims = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Unauthorized("Token kedaluwarsa; masuk lagi. / Token expired; sign in again.") from None
    except BadSignature:
        raise Unauthorized("Token tidak sah. / Invalid token.") from None
    return principal_for(db, claims.get("u"), claims.get("g"))


# Who a token belongs to is read from the database at most once per PRINCIPAL_TTL seconds per process:
# a deactivation (which bumps the token generation) takes effect everywhere within that time, and at once
# in the process that made it.
PRINCIPAL_TTL = 2.0
_principals: dict[int, tuple[float, int, bool, Principal]] = {}
_USER_FACTS = select(User.username, User.roles, User.is_active, User.token_generation).where(
    User.id == bindparam("uid"))


def principal_for(db: Database, user_id: int | None, generation: int | None) -> Principal:
    cached = _principals.get(user_id) if user_id is not None else None
    if cached is not None and time.monotonic() - cached[0] < PRINCIPAL_TTL:
        _, current, active, principal = cached
    else:
        with db.reader() as session:
            row = session.execute(_USER_FACTS, {"uid": user_id}).first()
        if row is None:
            raise Unauthorized("Sesi tidak berlaku lagi; masuk lagi. / Session no longer valid; sign in again.")
        current, active = row.token_generation, row.is_active
        principal = Principal(row.username, frozenset(row.roles), user_id)
        _principals[user_id] = (time.monotonic(), current, active, principal)
        if len(_principals) > 10_000:
            _principals.clear()
    if generation is not None and current != generation:
        raise Unauthorized("Sesi tidak berlaku lagi; masuk lagi. / Session no longer valid; sign in again.")
    if not active:
        raise Forbidden("Akun ini dinonaktifkan. / This account has been deactivated.")
    return principal


def forget_principals() -> None:
    """Drop the cache (after a deactivation or a role change in this process)."""
    _principals.clear()


def deactivate(session, username: str) -> None:
    """Inside the caller's transaction: the account can no longer sign in, and its tokens stop working."""
    result = session.execute(update(User).where(User.username == username)
                             .values(is_active=False, token_generation=User.token_generation + 1))
    if result.rowcount != 1:
        raise NotFound(f"Akun \"{username}\" tidak ditemukan. / Account \"{username}\" not found.")
    forget_principals()


def list_users(db: Database) -> list[dict]:
    with db.reader() as session:
        rows = session.execute(select(User.id, User.username, User.full_name, User.roles, User.is_active,
                                      User.created_at).order_by(User.username)).mappings().all()
        return [dict(r) for r in rows]
