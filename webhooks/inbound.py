"""Incoming hooks: ``POST /api/v1/hooks/{name}`` starts a process or delivers a BPMN message to a waiting case.

Each hook is configured once (``/api/v1/inbound-hooks``): what it does, and how callers prove who they are:
``token`` (an Alur user's bearer token, limited to some roles) or ``hmac`` (a Standard Webhooks signature
with the hook's own secret, for systems without an account; the hook then acts in a configured staff role).

Every call carries an ``Idempotency-Key``. The first response to a key is stored in the same transaction
as the hook's effect (a journal listener inserts it), so a retried call gets the same response and causes
nothing again, even when two copies arrive at once: the second one's transaction fails on the unique key
and is rolled back whole.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from engine import clock, hooks
from engine.db import Database
from engine.errors import AlurError, Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from engine.models import HookRequest, InboundHook
from engine.models.webhook import HMAC, MESSAGE, START, TOKEN
from engine.principal import Principal
from engine.roles import ROLES, STAFF
from engine.services import instances

from . import signing

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_KEY = 255


class BadRequest(AlurError):
    status = 400
    title = "Permintaan tidak valid / Bad request"


# --- configuration -------------------------------------------------------------------------------

def _check(spec: dict, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    if creating and not NAME.match(spec.get("name") or ""):
        errors["name"] = ["1-64 huruf kecil, angka, - atau _ / 1-64 lower-case letters, digits, - or _"]
    action = spec.get("action")
    if action not in (START, MESSAGE):
        errors["action"] = ["\"start\" (mulai proses / start a process) atau / or \"message\" (kirim pesan BPMN)"]
    if action == START and not spec.get("process"):
        errors["process"] = ["Proses yang dimulai wajib diisi / Name the process to start"]
    if action == MESSAGE and not spec.get("message"):
        errors["message"] = ["Nama pesan BPMN wajib diisi / Name the BPMN message to deliver"]
    if action == MESSAGE and not FIELD.match(spec.get("instance_field") or "instance_id"):
        errors["instance_field"] = ["Nama kolom JSON / A JSON field name, e.g. instance_id"]
    auth = spec.get("auth")
    if auth not in (TOKEN, HMAC):
        errors["auth"] = ["\"token\" (token pengguna / a user's bearer token) atau / or \"hmac\" (tanda tangan)"]
    bad_roles = [r for r in spec.get("roles") or [] if r not in ROLES]
    if bad_roles:
        errors["roles"] = [f"Peran tidak dikenal / Unknown roles: {', '.join(bad_roles)}"]
    if auth == HMAC and spec.get("act_as") not in STAFF:
        errors["act_as"] = [f"Hook HMAC bertindak dalam satu peran staf / An HMAC hook acts in one staff role: "
                            f"{', '.join(sorted(STAFF))}"]
    if errors:
        raise ValidationFailed("Periksa isian yang ditandai. / Check the marked fields.", errors)


def _view(hook: InboundHook) -> dict:
    return {"name": hook.name, "action": hook.action, "process": hook.process_id, "message": hook.message,
            "instance_field": hook.instance_field, "auth": hook.auth, "roles": hook.roles, "act_as": hook.act_as,
            "enabled": hook.enabled, "created_by": hook.created_by, "created_at": hook.created_at,
            "updated_at": hook.updated_at, "url": f"/api/v1/hooks/{hook.name}"}


def create_hook(db: Database, principal: Principal, spec: dict) -> dict:
    _check(spec, creating=True)
    now = clock.now()
    with db.unit_of_work() as session:
        if session.scalar(select(InboundHook.id).where(InboundHook.name == spec["name"])) is not None:
            raise Conflict(f"Hook \"{spec['name']}\" sudah ada. / Hook \"{spec['name']}\" already exists.")
        hook = InboundHook(
            name=spec["name"], action=spec["action"], process_id=spec.get("process"), message=spec.get("message"),
            instance_field=spec.get("instance_field") or "instance_id", auth=spec["auth"],
            secret=signing.new_secret() if spec["auth"] == HMAC else None, roles=list(spec.get("roles") or []),
            act_as=spec.get("act_as") if spec["auth"] == HMAC else None, enabled=True,
            created_by=principal.username, created_at=now, updated_at=now)
        session.add(hook)
        session.flush()
        return {**_view(hook), "secret": hook.secret}


def _hook(session, name: str) -> InboundHook:
    hook = session.scalars(select(InboundHook).where(InboundHook.name == name)).first()
    if hook is None:
        raise NotFound(f"Hook \"{name}\" tidak ditemukan. / Hook \"{name}\" not found.")
    return hook


def list_hooks(db: Database) -> list[dict]:
    with db.reader() as session:
        return [_view(h) for h in session.scalars(select(InboundHook).order_by(InboundHook.name))]


def get_hook(db: Database, name: str) -> dict:
    with db.reader() as session:
        return _view(_hook(session, name))


def change_hook(db: Database, name: str, changes: dict) -> dict:
    with db.unit_of_work() as session:
        hook = _hook(session, name)
        spec = {**_view(hook), **{k: v for k, v in changes.items() if v is not None}}
        _check(spec, creating=False)
        hook.action, hook.process_id, hook.message = spec["action"], spec.get("process"), spec.get("message")
        hook.instance_field, hook.roles, hook.enabled = spec["instance_field"], spec["roles"], spec["enabled"]
        if spec["auth"] != hook.auth:
            hook.secret = signing.new_secret() if spec["auth"] == HMAC else None
        hook.auth, hook.act_as = spec["auth"], spec.get("act_as") if spec["auth"] == HMAC else None
        hook.updated_at = clock.now()
        return {**_view(hook), "secret": hook.secret if "auth" in changes else None}


def rotate_hook_secret(db: Database, name: str) -> dict:
    with db.unit_of_work() as session:
        hook = _hook(session, name)
        if hook.auth != HMAC:
            raise Conflict("Hook ini memakai token pengguna, bukan rahasia. / This hook uses bearer tokens, no secret.")
        hook.secret, hook.updated_at = signing.new_secret(), clock.now()
        return {**_view(hook), "secret": hook.secret}


def delete_hook(db: Database, name: str) -> None:
    with db.unit_of_work() as session:
        session.delete(_hook(session, name))


# --- calls ---------------------------------------------------------------------------------------

@dataclass
class Result:
    status: int
    body: dict
    replayed: bool = False


@dataclass
class _Claim:
    hook: str
    key: str
    request_hash: str
    status: int
    response: dict
    written: bool = False


_claim: contextvars.ContextVar[_Claim | None] = contextvars.ContextVar("alur_hook_claim", default=None)


def _record_first_response(session, rows: list[hooks.Written]) -> None:
    """Journal listener: store the response to the idempotency key with the effect it describes."""
    claim = _claim.get()
    if claim is None or claim.written or not rows:
        return
    claim.response["instance_id"] = rows[0].instance_id
    session.execute(insert(HookRequest).values(
        hook_name=claim.hook, key=claim.key, request_hash=claim.request_hash, status=claim.status,
        response=json.dumps(claim.response, ensure_ascii=False), instance_id=rows[0].instance_id,
        created_at=clock.now()))
    claim.written = True


hooks.on_journal(_record_first_response)


def trigger(db: Database, config: dict, name: str, headers, body: bytes,
            bearer: Callable[[str], Principal], request_id: str | None = None) -> Result:
    with db.reader() as session:
        hook = session.scalars(select(InboundHook).where(InboundHook.name == name,
                                                         InboundHook.enabled.is_(True))).first()
    principal = _authenticate(hook, headers, body, bearer)
    if hook is None:
        raise NotFound(f"Hook \"{name}\" tidak ditemukan. / Hook \"{name}\" not found.")
    key = _idempotency_key(headers)
    payload = _json_object(body)
    request_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    earlier = _stored(db, name, key, request_hash)
    if earlier is not None:
        return earlier
    claim = _Claim(name, key, request_hash, 201 if hook.action == START else 200,
                   {"hook": name, "action": hook.action})
    token = _claim.set(claim)
    try:
        if hook.action == START:
            claim.response["process"] = hook.process_id
            instances.start(db, hook.process_id, payload, principal, config, request_id)
        else:
            claim.response["message"] = hook.message
            instance_id = _instance_id(payload, hook.instance_field)
            instances.deliver_message(db, instance_id, hook.message, payload, principal, config, request_id)
    except IntegrityError:
        # The same key arrived twice at once and the other call committed first: our effect was rolled back.
        earlier = _stored(db, name, key, request_hash)
        if earlier is None:
            raise
        return earlier
    finally:
        _claim.reset(token)
    return Result(claim.status, claim.response)


def _authenticate(hook: InboundHook | None, headers, body: bytes, bearer: Callable[[str], Principal]) -> Principal:
    authorization = headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        principal = bearer(authorization[7:].strip())
        if hook is not None and hook.auth != TOKEN:
            raise Unauthorized("Hook ini memerlukan tanda tangan HMAC. / This hook needs an HMAC signature.")
        if hook is not None and hook.roles and not principal.has(*hook.roles):
            raise Forbidden(f"Hook ini hanya untuk peran / This hook is only for: {', '.join(hook.roles)}.")
        return principal
    if hook is not None and hook.auth == HMAC and hook.secret and signing.verify(
            hook.secret, headers.get("webhook-id", ""), headers.get("webhook-timestamp", ""),
            headers.get("webhook-signature", ""), body, int(time.time())):
        return Principal(f"hook:{hook.name}", frozenset({hook.act_as, "system"}))
    raise Unauthorized("Kirim token Bearer atau tanda tangan webhook-signature yang sah (maks. 5 menit). / Send a "
                       "bearer token or a valid webhook-signature (timestamp within five minutes).")


def _idempotency_key(headers) -> str:
    key = headers.get("Idempotency-Key", "")
    if not key:
        raise BadRequest("Header Idempotency-Key wajib ada. / The Idempotency-Key header is required: send a unique "
                         "value (e.g. a UUID) per event, and the same value when you retry it.")
    if len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise BadRequest(f"Idempotency-Key: maks. {MAX_KEY} karakter ASCII / at most {MAX_KEY} printable ASCII "
                         f"characters.")
    return key


def _json_object(body: bytes) -> dict:
    try:
        payload = json.loads(body or b"{}")
    except ValueError as exc:
        raise ValidationFailed("Badan permintaan bukan JSON. / The body is not JSON.", {"body": [str(exc)]}) from None
    if not isinstance(payload, dict):
        raise ValidationFailed("Badan permintaan harus objek JSON. / The body must be a JSON object.",
                               {"body": ["Kirim objek {...} / Send an object {...}"]})
    return payload


def _instance_id(payload: dict, field: str) -> int:
    value = payload.get(field)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationFailed(f"Kolom \"{field}\" harus nomor kasus. / Field \"{field}\" must hold the case id.",
                               {field: ["Nomor kasus yang menunggu pesan ini / The id of the waiting case"]})
    return value


def _stored(db: Database, name: str, key: str, request_hash: str) -> Result | None:
    with db.reader() as session:
        row = session.scalars(select(HookRequest).where(HookRequest.hook_name == name, HookRequest.key == key)).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise ValidationFailed("Idempotency-Key ini sudah dipakai untuk permintaan lain. / This Idempotency-Key was "
                               "already used for a different request; use a new key for a new event.",
                               {"Idempotency-Key": ["sudah dipakai / already used"]})
    return Result(row.status, json.loads(row.response), replayed=True)
