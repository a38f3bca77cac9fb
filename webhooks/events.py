"""Public event types and their payloads, derived from journal rows.

A journal row becomes a public event when its type is in ``RENAMED`` or is a domain event a handler
emitted (``registration.approved``, ``account.deactivated`` ...: any dotted type not listed in
``INTERNAL``). The payload carries ids and a one-line summary, never the case data: a receiver that
needs more asks the API with its own credentials.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from engine.hooks import Written

from .privacy import mask_text, stripped

# Journal type -> public type, where they differ or where the journal type is public as it is.
RENAMED = {
    "instance.started": "instance.started",
    "instance.completed": "instance.completed",
    "instance.cancelled": "instance.cancelled",
    "instance.retried": "instance.retried",
    "error": "instance.failed",
    "task.ready": "task.created",
    "task.completed": "task.completed",
    "task.cancelled": "task.cancelled",
    "message.sent": "message.sent",
    "message.received": "message.received",
}
# Engine bookkeeping, not news for other systems.
INTERNAL = {"service.run", "timer.fired"}
# Known types, listed by the API for the subscription form; handlers may emit more.
KNOWN = sorted(set(RENAMED.values()) | {
    "registration.approved", "registration.rejected", "account.created", "account.deactivated",
    "incident.escalated", "incident.resolved", "notification.sent", "webhook.test"})

_DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$")


def public_type(journal_type: str) -> str | None:
    if journal_type in RENAMED:
        return RENAMED[journal_type]
    if journal_type in INTERNAL or not _DOTTED.match(journal_type):
        return None
    return journal_type


def valid_pattern(pattern: str) -> bool:
    """``*``, an exact type (``task.created``) or a prefix (``registration.*``)."""
    return bool(_PATTERN.match(pattern)) and len(pattern) <= 64


def matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def timestamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message_id(row: Written) -> str:
    """Stable for the event, so a retried or redelivered message keeps its ``webhook-id``."""
    return f"msg_{row.hash[:32]}"


def payload(row: Written, event_type: str) -> dict:
    data = json.loads(row.data) if row.data else {}
    body: dict = {"instance_id": row.instance_id, "process_id": row.process_id, "seq": row.seq}
    if row.element_id:
        body["element_id"] = row.element_id
    if row.role:
        body["role"] = row.role
    if row.actor:
        body["actor"] = row.actor
    summary = f"{event_type} in case {row.instance_id} ({row.process_id})"
    if event_type in ("task.created", "task.completed", "task.cancelled"):
        body["task_id"] = data.get("task_id")
        if data.get("form"):
            body["form"] = data["form"]
        summary = f"{event_type}: {row.element_id} ({row.role or 'initiator'}) in case {row.instance_id}"
    elif event_type == "instance.started":
        body["started_by"] = row.started_by
        if "process_version" in data:
            body["process_version"] = data["process_version"]
    elif event_type == "instance.failed":
        summary = f"case {row.instance_id} failed at {row.element_id}: {mask_text(str(data.get('message', '')))}"
    elif event_type in ("message.sent", "message.received"):
        body["message"] = data.get("message")
        summary = f"{event_type}: {data.get('message')} in case {row.instance_id}"
    elif event_type not in RENAMED.values():
        # A domain event: what its handler chose to record, without personal numbers.
        body["details"] = stripped(data)
    body["summary"] = summary[:300]
    return {"type": event_type, "timestamp": timestamp(row.at), "data": body}


def dumps(body: dict) -> str:
    """The exact bytes that are signed and sent; stored once, so every retry sends the same body."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
