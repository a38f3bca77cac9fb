"""The worker's delivery job: claim due outbox rows, send them, record what happened.

A claim is a lease, not a long transaction: the row's ``next_attempt_at`` moves past the time a send can
take and its attempt count goes up, in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several workers share the rows). The send happens outside any transaction; its result is written in a
second one. A worker killed in between leaves the row pending: when the lease runs out, the row is due
again and goes out once more, with the same ``webhook-id``. Delivery is therefore at least once, and
receivers deduplicate by ``webhook-id``.
"""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from engine import clock
from engine.db import Database
from engine.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from engine.models.outbox import DELIVERED, EMAIL, FAILED, HELD, PENDING, WEBHOOK
from engine.models.webhook import DISABLED

from . import mail, net, signing
from .outbox import next_delay
from .outcome import Outcome

log = logging.getLogger(__name__)
USER_AGENT = "Alur-Webhooks/1 (+https://www.standardwebhooks.com)"


@dataclass(frozen=True)
class Claim:
    id: int
    attempt: int
    attempt_log_id: int
    channel: str
    message_id: str
    event_type: str
    body: str
    endpoint_id: int | None
    url: str | None
    secrets: tuple[str, ...]
    recipient: str | None


def timeout_of(config: dict) -> float:
    return float(config.get("DELIVERY_TIMEOUT_SECONDS") or 10)


def lease_of(config: dict) -> timedelta:
    """Long enough for any send to finish or time out, so no two workers send one row at once."""
    return timedelta(seconds=3 * timeout_of(config) + 5)


def run_due(db: Database, config: dict) -> int:
    """Worker job: send what is due; returns how many rows were attempted."""
    claims = claim(db, config, limit=max(1, int(config.get("OUTBOX_CONCURRENCY") or 8)))
    if not claims:
        return 0
    if len(claims) == 1:
        _deliver(db, config, claims[0])
    else:
        with ThreadPoolExecutor(max_workers=len(claims), thread_name_prefix="alur-delivery") as pool:
            list(pool.map(lambda c: _deliver(db, config, c), claims))
    return len(claims)


def claim(db: Database, config: dict, limit: int) -> list[Claim]:
    now = clock.now()
    with db.unit_of_work() as session:
        query = (select(OutboxMessage).where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = session.scalars(query).all()
        if not rows:
            return []
        endpoints = _endpoints(session, {r.endpoint_id for r in rows if r.endpoint_id is not None}, now)
        claims = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + lease_of(config)
            row.updated_at = now
            entry = DeliveryAttempt(outbox_id=row.id, attempt=row.attempts, at=now, status=None, latency_ms=None,
                                    error="terputus: worker berhenti sebelum ada jawaban / interrupted: the worker "
                                          "stopped before an answer", response=None)
            session.add(entry)
            session.flush()
            url, secrets = endpoints.get(row.endpoint_id, (None, ()))
            claims.append(Claim(row.id, row.attempts, entry.id, row.channel, row.message_id, row.event_type,
                                row.body, row.endpoint_id, url, secrets, row.recipient))
        return claims


def _endpoints(session, ids: set[int], now) -> dict[int, tuple[str, tuple[str, ...]]]:
    if not ids:
        return {}
    found = {}
    for endpoint in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(ids))):
        secrets = [endpoint.secret]
        if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
            secrets.append(endpoint.previous_secret)
        found[endpoint.id] = (endpoint.url, tuple(secrets))
    return found


def _deliver(db: Database, config: dict, item: Claim) -> None:
    try:
        outcome = send(config, item)
    except Exception as exc:  # noqa: BLE001 - a bug in one send must not lose the others' results
        log.exception("delivery crashed", extra={"outbox_id": item.id})
        outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}")
    try:
        record(db, item, outcome)
    except Exception:  # noqa: BLE001 - the lease runs out and the row is tried again
        log.exception("could not record a delivery", extra={"outbox_id": item.id})


def send(config: dict, item: Claim) -> Outcome:
    if item.channel == WEBHOOK:
        return send_webhook(config, item)
    if item.channel == EMAIL:
        content = json.loads(item.body)
        return mail.send(config, item.recipient or "", content["subject"], content["text"], item.message_id)
    return Outcome(False, error=f"unknown channel {item.channel}", permanent=True)


def send_webhook(config: dict, item: Claim) -> Outcome:
    if item.url is None:
        return Outcome(False, error="the endpoint no longer exists", permanent=True)
    body = item.body.encode()
    # The signature's timestamp is the real time of sending (receivers compare it with their clock).
    headers = signing.headers(list(item.secrets), item.message_id, int(time.time()), body)
    headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
    allow = net.AllowList(str(config.get("WEBHOOK_ALLOW_HOSTS") or ""))
    try:
        response = net.post(item.url, body, headers, timeout=timeout_of(config), allow=allow)
    except net.Unresolvable as exc:
        return Outcome(False, error=str(exc))
    except net.Refused as exc:
        return Outcome(False, error=str(exc), permanent=True)
    except OSError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    excerpt = response.body[:500].decode("utf-8", "replace")
    if 200 <= response.status < 300:
        return Outcome(True, response.status, response.latency_ms, response=excerpt)
    if response.status == 410:
        return Outcome(False, 410, response.latency_ms, "410 Gone: endpoint dinonaktifkan / endpoint disabled",
                       excerpt, permanent=True, disable_endpoint=True)
    error = f"HTTP {response.status}"
    if 300 <= response.status < 400:
        error += f": pengalihan tidak diikuti / redirect to {response.location} not followed"
    return Outcome(False, response.status, response.latency_ms, error, excerpt)


def record(db: Database, item: Claim, outcome: Outcome) -> None:
    now = clock.now()
    with db.unit_of_work() as session:
        session.execute(update(DeliveryAttempt).where(DeliveryAttempt.id == item.attempt_log_id).values(
            status=outcome.status, latency_ms=outcome.latency_ms, error=outcome.error,
            response=(outcome.response or None) and outcome.response[:500]))
        row = session.get(OutboxMessage, item.id)
        if row is None or row.state != PENDING or row.attempts != item.attempt:
            return  # redelivered or reclaimed meanwhile: the newer attempt decides
        row.last_status, row.last_error, row.updated_at = outcome.status, outcome.error, now
        if outcome.ok:
            row.state, row.delivered_at, row.last_error = DELIVERED, now, None
        elif outcome.permanent or (delay := next_delay(row.attempts)) is None:
            row.state = FAILED
            log.warning("delivery failed for good", extra={"outbox_id": row.id, "channel": row.channel,
                                                           "attempts": row.attempts, "error": outcome.error})
        else:
            row.next_attempt_at = now + delay
        if outcome.disable_endpoint and row.endpoint_id is not None:
            _disable(session, row.endpoint_id, now)


def _disable(session, endpoint_id: int, now) -> None:
    session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(
        state=DISABLED, state_reason="penerima menjawab 410 Gone / the receiver answered 410 Gone", updated_at=now))
    session.execute(update(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id,
                                                OutboxMessage.state == PENDING).values(state=HELD, updated_at=now))
