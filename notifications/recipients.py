"""Who a notification goes to: recipient specifications as a diagram writes them, resolved to people.

``peran:verifikator`` (every active account with the role), ``pemrakarsa`` (whoever started the case),
``pemohon`` (the applicant: the address in the case field ``email_pemohon`` if there is one, otherwise the
initiator), ``pengguna:budi`` (one account), ``data:kontak.email`` (an address in the case data) or a plain
address. English aliases: ``role:``, ``initiator``, ``applicant``, ``user:``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, cast, select, text
from sqlalchemy.dialects.postgresql import JSONB

from engine.models import User
from engine.roles import ROLES

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class Recipient:
    """A person (an account, maybe with an address) or a bare address; ``problem`` when it cannot be reached."""

    spec: str
    user_id: int | None = None
    username: str | None = None
    name: str = ""
    email: str | None = None
    problem: str | None = None


def valid_email(value) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(EMAIL.match(value))


def has_role(session, role: str):
    """A WHERE clause: the account holds ``role`` (its roles are a JSON list)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(User.roles, JSONB).contains([role])
    return text("EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value = :role)").bindparams(role=role)


_COLUMNS = (User.id, User.username, User.full_name, User.email)


def users_with_role(session, role: str) -> list[Recipient]:
    rows = session.execute(select(*_COLUMNS).where(User.is_active.is_(True), has_role(session, role))
                           .order_by(User.username)).all()
    return [person(f"peran:{role}", r) for r in rows]


def person(spec: str, row) -> Recipient:
    return Recipient(spec, row.id, row.username, row.full_name or row.username,
                     row.email if valid_email(row.email) else None)


# Run for the initiator of every case that opens a task in the applicant's lane: built once.
_ACCOUNT = select(*_COLUMNS).where(User.username == bindparam("username"), User.is_active.is_(True))
# The holder of an account just deactivated must still be told so (Pasal 12(5)), by e-mail.
_ANY_ACCOUNT = select(*_COLUMNS).where(User.username == bindparam("username"))


def _user(session, spec: str, username: str | None, include_inactive: bool = False) -> Recipient:
    query = _ANY_ACCOUNT if include_inactive else _ACCOUNT
    row = session.connection().execute(query, {"username": username}).first()
    if row is None:
        return Recipient(spec, problem=f"akun \"{username}\" tidak ada atau nonaktif / account \"{username}\" does "
                                       f"not exist or is deactivated")
    return person(spec, row)


def _address(session, spec: str, address) -> Recipient:
    if not valid_email(address):
        shown = address if isinstance(address, str) else type(address).__name__
        return Recipient(spec, email=None, name=str(shown)[:254],
                         problem=f"alamat e-mail tidak sah / invalid e-mail address: {str(shown)[:254]!r}")
    row = session.execute(select(*_COLUMNS).where(User.email == address, User.is_active.is_(True))).first()
    if row is not None:  # the address belongs to an account: that person also sees it in the app
        return Recipient(spec, row.id, row.username, row.full_name or row.username, address)
    return Recipient(spec, name=address, email=address)


def _lookup(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def resolve(session, specs, *, started_by: str | None, data: dict,
            include_inactive: bool = False) -> list[Recipient]:
    """Every recipient of ``specs`` (a list, or a comma-separated string), each person once.
    ``include_inactive``: a ``pengguna:`` account is reached even when deactivated (the deactivation notice)."""
    if isinstance(specs, str):
        specs = [s.strip() for s in specs.split(",")]
    out: list[Recipient] = []
    for spec in [s for s in (specs or []) if isinstance(s, str) and s.strip()]:
        kind, _, arg = spec.strip().partition(":")
        kind = kind.lower()
        if kind in ("peran", "role"):
            if arg not in ROLES:
                out.append(Recipient(spec, problem=f"peran tidak dikenal / unknown role \"{arg}\""))
            else:
                out.extend(users_with_role(session, arg))
        elif kind in ("pemrakarsa", "initiator") and not arg:
            out.append(_user(session, spec, started_by))
        elif kind in ("pemohon", "applicant") and not arg:
            address = data.get("email_pemohon")
            out.append(_address(session, spec, address) if address else _user(session, spec, started_by))
        elif kind in ("pengguna", "user"):
            out.append(_user(session, spec, arg, include_inactive))
        elif kind == "data":
            value = _lookup(data, arg)
            values = value if isinstance(value, list) else [value]
            out.extend(_address(session, spec, v) if v else
                       Recipient(spec, problem=f"kolom data \"{arg}\" kosong / case field \"{arg}\" is empty")
                       for v in values)
        elif "@" in spec:
            out.append(_address(session, spec, spec.strip()))
        else:
            out.append(Recipient(spec, problem=f"penerima tidak dikenal / unknown recipient \"{spec}\"; write "
                                               f"peran:ROLE, pemohon, pemrakarsa, pengguna:NAME, data:FIELD or an "
                                               f"address"))
    return _unique(out)


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: set = set()
    out = []
    for r in recipients:
        key = ("user", r.user_id) if r.user_id is not None else ("email", (r.email or "").lower(), r.problem)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out
