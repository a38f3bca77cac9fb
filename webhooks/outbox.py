"""The transactional outbox: rows written by a journal listener in the same transaction as the event.

Whatever commits the journal row commits its outbox rows; whatever rolls it back rolls them back. So a
receiver hears of exactly the events that happened, at least once, however the process dies.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from engine import clock, hooks
from engine.models import OutboxMessage, WebhookEndpoint
from engine.models.outbox import EMAIL, FAILED, HELD, PENDING, WEBHOOK
from engine.models.webhook import ACTIVE, PAUSED

from . import events

# Wait before retry n (after the n-th failed attempt): about three days from the first try to the last.
BACKOFF = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=20)]
MAX_ATTEMPTS = len(BACKOFF) + 1


def next_delay(failed_attempts: int) -> timedelta | None:
    """The wait after the given number of failed attempts, with ±20 % jitter; None after the last one."""
    if failed_attempts >= MAX_ATTEMPTS:
        return None
    base = BACKOFF[failed_attempts - 1]
    return base * random.uniform(0.8, 1.2)


# Runs on every step that journals a public event: built once, executed on the session's connection.
_SUBSCRIBERS = (select(WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.state)
                .where(WebhookEndpoint.deleted_at.is_(None), WebhookEndpoint.state.in_((ACTIVE, PAUSED))))
_INSERT = insert(OutboxMessage.__table__)


def _subscribers(session) -> list[tuple[int, list[str], str]]:
    return [(r.id, list(r.events or []), r.state) for r in session.connection().execute(_SUBSCRIBERS)]


def record_events(session, rows: list[hooks.Written]) -> None:
    """Journal listener: one outbox row per public event and subscribed endpoint."""
    public = [(row, kind) for row in rows if (kind := events.public_type(row.type)) is not None]
    if not public:
        return
    endpoints = _subscribers(session)
    if not endpoints:
        return
    now = clock.now()
    values = []
    for row, kind in public:
        targets = [(eid, state) for eid, patterns, state in endpoints if events.matches(patterns, kind)]
        if not targets:
            continue
        body = events.dumps(events.payload(row, kind))
        for endpoint_id, state in targets:
            values.append(_row(WEBHOOK, events.message_id(row), kind, body, now, instance_id=row.instance_id,
                               endpoint_id=endpoint_id, state=PENDING if state == ACTIVE else HELD))
    if values:
        session.connection().execute(_INSERT, values)


def _row(channel: str, message_id: str, event_type: str, body: str, now: datetime, *, state: str = PENDING,
         **fields) -> dict:
    row = {"channel": channel, "message_id": message_id, "event_type": event_type, "body": body, "state": state,
           "attempts": 0, "next_attempt_at": now, "last_status": None, "last_error": None, "created_at": now,
           "updated_at": now, "delivered_at": None, "instance_id": None, "endpoint_id": None, "recipient": None,
           "user_id": None}
    row.update(fields)
    return row


def webhook_row(endpoint_id: int, message_id: str, event_type: str, body: str, state: str = PENDING) -> dict:
    return _row(WEBHOOK, message_id, event_type, body, clock.now(), endpoint_id=endpoint_id, state=state)


def email_row(message_id: str, event_type: str, recipient: str | None, subject: str, text: str, *,
              instance_id: int | None = None, user_id: int | None = None, error: str | None = None) -> dict:
    """An e-mail to send; with ``error`` it is recorded as failed at once (no address, a malformed one)."""
    body = json.dumps({"subject": subject, "text": text}, ensure_ascii=False)
    fields = {"instance_id": instance_id, "user_id": user_id, "recipient": recipient}
    if error is not None:
        fields.update(state=FAILED, last_error=error)
    return _row(EMAIL, message_id, event_type, body, clock.now(), **fields)


hooks.on_journal(record_events)
