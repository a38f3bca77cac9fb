"""Self-registration: a prospective supplier (or other SPSE user) creates an account and starts the
registration SOP in one transaction, so there is never an account without its request or a request
without its account.

The account gets the role ``penyedia`` (or ``pengguna``) at once: the applicant signs in to fill in the
SOP's forms and to follow the request. Verification (the SOP) decides what the LPSE then does with it.
The SOP receives as start data::

    {"pemohon": <username>, "nama_pemohon": <full name or company>, "email_pemohon": <email>,
     "jenis_pemohon": "penyedia" | "pengguna"}
"""
from __future__ import annotations

import re

from ..db import Database
from ..errors import ValidationFailed
from ..principal import Principal
from ..views import InstanceView
from . import accounts, instances

KINDS = ("penyedia", "pengguna")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register(db: Database, *, username: str, password: str, full_name: str, email: str, kind: str,
             process_id: str, config: dict, request_id: str | None = None) -> tuple[Principal, InstanceView]:
    full_name, email = (full_name or "").strip(), (email or "").strip()
    errors = accounts.account_errors(username, password, [kind] if kind in KINDS else ["penyedia"])
    if not 2 <= len(full_name) <= 200:
        errors["full_name"] = ["Nama wajib diisi (2-200 karakter) / A name is required (2-200 characters)"]
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = ["Alamat email tidak valid / Not a valid email address"]
    if kind not in KINDS:
        errors["kind"] = [f"Pilih salah satu: {', '.join(KINDS)} / Choose one of: {', '.join(KINDS)}"]
    if errors:
        raise ValidationFailed("invalid registration", errors)
    with db.unit_of_work() as session:
        user = accounts.create_user(session, username, password, [kind], full_name=full_name, email=email)
        principal = Principal(user.username, frozenset(user.roles), user.id)
        data = {"pemohon": user.username, "nama_pemohon": full_name, "email_pemohon": email, "jenis_pemohon": kind}
        case = instances.start_in(session, process_id, data, principal, config, request_id)
    return principal, case


def available(db: Database, process_id: str) -> bool:
    """Whether the registration SOP is deployed (the page says so plainly when it is not)."""
    from . import definitions

    return bool(definitions.list_versions(db, process_id))

