"""The auditor's side of the journal: verify every chain, sign checkpoints, export a case or a period.

Checkpoints: the chains are walked first and only intact ones are signed, so a checkpoint never vouches
for a chain that was already broken. Verification trusts a checkpoint only when its signature holds
under this Alur's key (or the key in the file the auditor kept).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import insert, select

from webhooks.privacy import is_personal_key, mask_text, masked

from .. import chain, clock, signing
from ..db import Database
from ..errors import Forbidden, NotFound, ValidationFailed
from ..journal import canonical
from ..models import Checkpoint, Instance, JournalEvent
from ..principal import Principal

log = logging.getLogger(__name__)

READERS = ("auditor", "kepala", "admin_sistem")
FORMAT = "alur-checkpoint-1"
FILE_FORMAT = "alur-checkpoints-1"


def _may_read(principal: Principal, allowed=READERS) -> None:
    if not principal.has(*allowed):
        raise Forbidden(f"Hanya {', '.join(allowed)} yang dapat memeriksa jurnal. / "
                        f"Only {', '.join(allowed)} may audit the journal.")


# --- checkpoints ---------------------------------------------------------------------------------------

def signed_message(cp: dict) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return canonical({"format": FORMAT, "created_at": cp["created_at"], "created_by": cp["created_by"],
                      "instance_id": cp["instance_id"], "instances": cp["instances"], "events": cp["events"],
                      "digest": cp["digest"]}).encode()


def _digest(heads: dict) -> str:
    return hashlib.sha256(canonical(heads).encode()).hexdigest()


def create_checkpoint(db: Database, config: dict, created_by: str, instance_id: int | None = None) -> dict:
    """Walk the chains (one case or all), then sign the count and head of every intact one."""
    key = signing.load_key(config)
    with db.reader() as session:
        if instance_id is not None and session.get(Instance, instance_id) is None:
            raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
        report = chain.walk(session, instance_id=instance_id)
    heads = {str(case): [count, head] for case, (count, head) in sorted(report.heads.items()) if count}
    public = signing.public_b64(key)
    cp = {"created_at": clock.now().isoformat(timespec="microseconds"), "created_by": created_by,
          "instance_id": instance_id, "instances": len(heads), "events": sum(c for c, _h in heads.values()),
          "digest": _digest(heads)}
    signature = signing.sign(key, signed_message(cp))
    with db.unit_of_work() as session:
        new_id = session.execute(insert(Checkpoint).values(
            created_at=datetime.fromisoformat(cp["created_at"]), created_by=created_by, instance_id=instance_id,
            instances=cp["instances"], events=cp["events"], digest=cp["digest"], heads=canonical(heads),
            key_id=signing.key_id(public), public_key=public, signature=signature)
            .returning(Checkpoint.id)).scalar_one()
    return {"id": new_id, **cp, "heads": heads, "key_id": signing.key_id(public), "public_key": public,
            "signature": signature, "left_out": [f.as_dict() for f in report.findings]}


def checkpoint_if_due(db: Database, config: dict) -> int:
    """The worker's job: a global checkpoint every AUDIT_CHECKPOINT_SECONDS (0: never).

    Returns 0 even when it wrote one: a checkpoint is not work that leaves more work due.
    """
    global _key_warned
    every = float(config.get("AUDIT_CHECKPOINT_SECONDS", 0) or 0)
    if every <= 0:
        return 0
    with db.reader() as session:
        last = session.scalar(select(Checkpoint.created_at).where(Checkpoint.instance_id.is_(None))
                              .order_by(Checkpoint.id.desc()).limit(1))
    if last is not None and (clock.now() - last).total_seconds() < every:
        return 0
    try:
        cp = create_checkpoint(db, config, "system")
    except signing.KeyUnavailable as exc:
        if not _key_warned:
            log.warning("no journal checkpoint: %s", exc.detail)
            _key_warned = True
        return 0
    log.info("journal checkpoint signed", extra={"checkpoint": cp["id"], "events": cp["events"]})
    return 0


_key_warned = False


def _as_dict(row: Checkpoint) -> dict:
    return {"id": row.id, "created_at": row.created_at.isoformat(timespec="microseconds"),
            "created_by": row.created_by, "instance_id": row.instance_id, "instances": row.instances,
            "events": row.events, "digest": row.digest, "heads": json.loads(row.heads), "key_id": row.key_id,
            "public_key": row.public_key, "signature": row.signature}


def list_checkpoints(db: Database, principal: Principal, *, limit: int | None = None,
                     with_heads: bool = True) -> list[dict]:
    _may_read(principal)
    with db.reader() as session:
        query = select(Checkpoint).order_by(Checkpoint.id.desc())
        if limit:
            query = query.limit(limit)
        rows = [_as_dict(r) for r in session.scalars(query)]
    if not with_heads:
        for r in rows:
            r.pop("heads")
    return rows


def export_checkpoints(db: Database, principal: Principal) -> dict:
    """Every checkpoint with its heads, signature and public key: the file the auditor keeps."""
    return {"format": FILE_FORMAT, "exported_at": clock.now().isoformat(timespec="seconds"),
            "checkpoints": list(reversed(list_checkpoints(db, principal)))}


def check_signature(cp: dict, trusted_public: str | None) -> str | None:
    """Why ``cp`` cannot be trusted, or None when its heads are what the key signed."""
    if trusted_public is not None and cp["public_key"] != trusted_public:
        return (f"checkpoint {cp['id']} is signed by key {cp['key_id']}, not by this Alur's key "
                f"{signing.key_id(trusted_public)}")
    if _digest(cp["heads"]) != cp["digest"]:
        return f"checkpoint {cp['id']}: its heads do not match its signed digest (the heads were changed)"
    if not signing.valid(cp["public_key"], signed_message(cp), cp["signature"]):
        return f"checkpoint {cp['id']}: the signature does not hold (the checkpoint was changed or forged)"
    return None


def read_checkpoint_file(text: str) -> list[dict]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed("not a checkpoint file", {"checkpoints": [f"not JSON: {exc}"]}) from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise ValidationFailed("not a checkpoint file", {"checkpoints": [
            f"expected a JSON object with \"format\": \"{FILE_FORMAT}\" (from `alur audit checkpoints --export`)"]})
    items = document.get("checkpoints")
    needed = {"id", "created_at", "created_by", "instance_id", "instances", "events", "digest", "heads", "key_id",
              "public_key", "signature"}
    if not isinstance(items, list) or not all(isinstance(c, dict) and needed <= set(c) for c in items):
        raise ValidationFailed("not a checkpoint file", {"checkpoints": [
            f"each checkpoint needs the fields {', '.join(sorted(needed))}"]})
    return items


def _stored_for_verify(session) -> list[dict]:
    """The latest global checkpoint and every per-case checkpoint written after it."""
    last_global = session.scalar(select(Checkpoint.id).where(Checkpoint.instance_id.is_(None))
                                 .order_by(Checkpoint.id.desc()).limit(1)) or 0
    query = select(Checkpoint).where(Checkpoint.id >= last_global).order_by(Checkpoint.id)
    return [_as_dict(r) for r in session.scalars(query)]


def _merge(checkpoints: list[dict]) -> dict[int, tuple[int, str]]:
    """Per case, the longest signed chain (the journal only grows, so it implies every shorter one)."""
    heads: dict[int, tuple[int, str]] = {}
    for cp in checkpoints:
        for case, (count, head) in cp["heads"].items():
            if int(case) not in heads or count > heads[int(case)][0]:
                heads[int(case)] = (int(count), head)
    return heads


# --- verification --------------------------------------------------------------------------------------

def verify(db: Database, principal: Principal, config: dict, *, instance_id: int | None = None,
           checkpoints: list[dict] | None = None, progress: Callable[[int], None] | None = None,
           total: Callable[[int], None] | None = None) -> dict:
    """Every chain (or one case's) checked against itself, its case row and the signed checkpoints.

    ``checkpoints``: those of a file the auditor kept (trusted under the public key the file carries);
    without it, the ones stored here, trusted only under this Alur's own key.
    """
    _may_read(principal)
    source = "file" if checkpoints is not None else "database"
    with db.reader() as session:
        if instance_id is not None and session.get(Instance, instance_id) is None:
            raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
        unchecked = None
        if checkpoints is None:
            checkpoints = _stored_for_verify(session)
            try:
                trusted = signing.public_b64(signing.load_key(config)) if checkpoints else None
            except signing.KeyUnavailable as exc:  # then no stored checkpoint can be trusted
                trusted, unchecked = None, exc.detail
        else:
            trusted = None
        if unchecked is not None:
            invalid = [f"checkpoint {cp['id']} cannot be checked without this Alur's key: {unchecked}"
                       for cp in checkpoints]
            usable = []
        else:
            invalid = [p for p in (check_signature(cp, trusted) for cp in checkpoints) if p]
            usable = [cp for cp in checkpoints if check_signature(cp, trusted) is None]
        if instance_id is not None:
            usable = [cp for cp in usable if str(instance_id) in cp["heads"]]
        latest = usable[-1] if usable else None
        name = (f"the signed checkpoint {latest['id']} of {latest['created_at']}" if latest else "")
        if total is not None:
            total(chain.count_events(session, instance_id))
        report = chain.walk(session, instance_id=instance_id, checkpoint=_merge(usable), checkpoint_name=name,
                            progress=progress)
    first = report.first
    return {"verified": report.verified and not invalid, "instance_id": instance_id, "instances": report.instances,
            "events": report.events, "first_break": first.as_dict() if first else None,
            "breaks": [f.as_dict() for f in report.findings[:100]], "broken_cases": len(report.findings),
            "checkpoints": {"source": source, "used": len(usable), "invalid": invalid,
                            "latest": {"id": latest["id"], "created_at": latest["created_at"],
                                       "key_id": latest["key_id"]} if latest else None}}


# --- export --------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("instance_id", "process_id", "seq", "event_id", "at", "type", "element_id", "element_name",
                  "actor", "role", "pasal", "reason", "request_id", "model_hash", "data", "prev_hash", "hash")


def _mask_personal(value):
    """Every personal number masked; a field named like nik/npwp is masked whatever it holds."""
    if isinstance(value, dict):
        return {k: (_mask_field(v) if is_personal_key(k) else _mask_personal(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_personal(v) for v in value]
    return masked(value)


def _mask_field(value):
    if value is None or value == "":
        return value
    if isinstance(value, (dict, list)):
        return _mask_personal(value)
    text = str(value)
    shown = mask_text(text)
    return shown if shown != text else "*" * len(text)


def export_scope(db: Database, principal: Principal, *, instance_id: int | None = None,
                 start: datetime | None = None, end: datetime | None = None) -> dict:
    """Check the request before any byte is sent; returns the scope the export covers."""
    _may_read(principal, ("auditor",))
    if instance_id is None and (start is None or end is None):
        raise ValidationFailed("say what to export", {"instance": [
            "Beri instance=ID, atau from= dan to= (ISO 8601) / Give instance=ID, or both from= and to= (ISO 8601)"]})
    if start is not None and end is not None and start >= end:
        raise ValidationFailed("empty period", {"to": ["to harus setelah from / to must be after from"]})
    if instance_id is not None:
        with db.reader() as session:
            if session.get(Instance, instance_id) is None:
                raise NotFound(f"Kasus {instance_id} tidak ditemukan. / Case {instance_id} not found.")
    return {"instance_id": instance_id, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None}


def export_events(db: Database, scope: dict, batch: int = 5_000) -> Iterator[dict]:
    """The events of the scope, oldest first, with personal numbers masked (streamed; call export_scope first)."""
    query = (select(JournalEvent.id.label("event_id"), *[getattr(JournalEvent, c) for c in EXPORT_COLUMNS
                                                         if c not in ("event_id", "process_id")],
                    Instance.process_id)
             .join(Instance, Instance.id == JournalEvent.instance_id))
    if scope["instance_id"] is not None:
        query = query.where(JournalEvent.instance_id == scope["instance_id"])
    if scope["from"]:
        query = query.where(JournalEvent.at >= datetime.fromisoformat(scope["from"]))
    if scope["to"]:
        query = query.where(JournalEvent.at < datetime.fromisoformat(scope["to"]))
    query = query.order_by(JournalEvent.instance_id, JournalEvent.seq)
    with db.reader() as session:
        for row in session.execute(query.execution_options(yield_per=batch)).mappings():
            item = {c: row[c] for c in EXPORT_COLUMNS}
            item["at"] = row["at"].isoformat(timespec="microseconds")
            item["data"] = _mask_personal(json.loads(row["data"]))
            for c in ("element_name", "actor", "reason"):
                item[c] = masked(item[c])
            yield item


def csv_lines(rows) -> Iterator[str]:
    """The export as CSV text in chunks of about 64 kB (``data`` as canonical JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(canonical(row[c]) if c == "data" else row[c]) for c in EXPORT_COLUMNS])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value):
    """A text a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def json_chunks(scope: dict, rows) -> Iterator[str]:
    """The export as one JSON document, in chunks: the scope, then the events."""
    yield json.dumps({"format": "alur-journal-export-1", "scope": scope})[:-1] + ', "events": ['
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"
