"""Webhook subscriptions and their delivery log: the service functions behind ``/api/v1/webhooks``."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from engine import clock
from engine.db import Database
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from engine.models.outbox import CANCELLED, DELIVERED, FAILED, HELD, PENDING, WEBHOOK
from engine.models.webhook import ACTIVE, DISABLED, PAUSED
from engine.principal import Principal

from . import events, metrics as _metrics, net, outbox, signing  # noqa: F401 - registers the numbers

ROTATION_GRACE = timedelta(hours=24)
MAX_PATTERNS = 50


def _validate(config: dict, url: str | None, patterns: list[str] | None, description: str | None) -> dict:
    errors: dict[str, list[str]] = {}
    if url is not None:
        if len(url) > 2048:
            errors["url"] = ["URL terlalu panjang (maks. 2048) / URL too long (max. 2048)"]
        else:
            try:
                net.check_url(url, net.AllowList(str(config.get("WEBHOOK_ALLOW_HOSTS") or "")))
            except net.Refused as exc:
                errors["url"] = [str(exc)]
    if patterns is not None:
        bad = [p for p in patterns if not isinstance(p, str) or not events.valid_pattern(p)]
        if not patterns:
            errors["events"] = ["Pilih minimal satu jenis peristiwa atau \"*\" / Choose at least one event type or \"*\""]
        elif bad:
            errors["events"] = [f"Jenis peristiwa tidak sah / Invalid event types: {', '.join(map(str, bad))}; write "
                                f"a type such as task.created, a prefix such as registration.* or \"*\""]
        elif len(patterns) > MAX_PATTERNS:
            errors["events"] = [f"Maksimal {MAX_PATTERNS} jenis / At most {MAX_PATTERNS} entries"]
    if description is not None and len(description) > 255:
        errors["description"] = ["Maksimal 255 karakter / At most 255 characters"]
    if errors:
        raise ValidationFailed("Periksa isian yang ditandai. / Check the marked fields.", errors)
    return errors


def create(db: Database, principal: Principal, config: dict, url: str, patterns: list[str],
           description: str = "") -> dict:
    _validate(config, url, patterns, description)
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = WebhookEndpoint(url=url, description=description or "", events=list(dict.fromkeys(patterns)),
                                   secret=signing.new_secret(), state=ACTIVE, created_by=principal.username,
                                   created_at=now, updated_at=now)
        session.add(endpoint)
        session.flush()
        return {**_view(endpoint), "secret": endpoint.secret}


def _get(session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.deleted_at is not None:
        raise NotFound(f"Langganan webhook {endpoint_id} tidak ditemukan. / Webhook {endpoint_id} not found.")
    return endpoint


def _view(endpoint: WebhookEndpoint, counts: dict[str, int] | None = None) -> dict:
    return {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
            "state": endpoint.state, "state_reason": endpoint.state_reason, "created_by": endpoint.created_by,
            "created_at": endpoint.created_at, "updated_at": endpoint.updated_at,
            "previous_secret_until": endpoint.previous_secret_until, "deliveries": counts or {}}


def _counts(session, ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = session.execute(select(OutboxMessage.endpoint_id, OutboxMessage.state, func.count())
                               .where(OutboxMessage.endpoint_id.in_(ids))
                               .group_by(OutboxMessage.endpoint_id, OutboxMessage.state))
        for endpoint_id, state, count in rows:
            out[endpoint_id][state] = count
    return out


def list_endpoints(db: Database) -> list[dict]:
    with db.reader() as session:
        endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
                                    .order_by(WebhookEndpoint.id)).all()
        counts = _counts(session, [e.id for e in endpoints])
        return [_view(e, counts[e.id]) for e in endpoints]


def get(db: Database, endpoint_id: int) -> dict:
    with db.reader() as session:
        endpoint = _get(session, endpoint_id)
        return _view(endpoint, _counts(session, [endpoint_id])[endpoint_id])


def change(db: Database, endpoint_id: int, config: dict, *, url: str | None = None,
           patterns: list[str] | None = None, description: str | None = None) -> dict:
    _validate(config, url, patterns, description)
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        if url is not None:
            endpoint.url = url
        if patterns is not None:
            endpoint.events = list(dict.fromkeys(patterns))
        if description is not None:
            endpoint.description = description
        endpoint.updated_at = clock.now()
        return _view(endpoint)


def pause(db: Database, endpoint_id: int, reason: str | None = None) -> dict:
    """Hold deliveries (they keep queueing) until the endpoint is resumed."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        endpoint.state, endpoint.state_reason, endpoint.updated_at = PAUSED, reason, now
        session.execute(update(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id,
                                                    OutboxMessage.state == PENDING)
                        .values(state=HELD, updated_at=now))
        return _view(endpoint)


def resume(db: Database, endpoint_id: int) -> dict:
    """Active again (also after a 410 disabled it): what was held goes out now, oldest first."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        endpoint.state, endpoint.state_reason, endpoint.updated_at = ACTIVE, None, now
        session.execute(update(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id,
                                                    OutboxMessage.state == HELD)
                        .values(state=PENDING, next_attempt_at=now, updated_at=now))
        return _view(endpoint)


def rotate_secret(db: Database, endpoint_id: int) -> dict:
    """A new secret; for a day the old one signs as well, so the receiver can switch without losing events."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_GRACE
        endpoint.secret, endpoint.updated_at = signing.new_secret(), now
        return {**_view(endpoint), "secret": endpoint.secret}


def delete(db: Database, endpoint_id: int) -> None:
    """The endpoint stops receiving; undelivered messages are cancelled; the delivery log is kept."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        endpoint.deleted_at, endpoint.updated_at = now, now
        session.execute(update(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id,
                                                    OutboxMessage.state.in_((PENDING, HELD)))
                        .values(state=CANCELLED, updated_at=now))


def send_test(db: Database, endpoint_id: int, principal: Principal) -> dict:
    """Queue a ``webhook.test`` event to this endpoint only."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        msg_id = "msg_test_" + signing.new_secret()[6:22].replace("/", "_").replace("+", "-")
        body = events.dumps({"type": "webhook.test", "timestamp": events.timestamp(now),
                             "data": {"endpoint_id": endpoint_id, "requested_by": principal.username,
                                      "summary": "Uji webhook dari Alur / Test webhook from Alur"}})
        row = OutboxMessage(**outbox.webhook_row(endpoint_id, msg_id, "webhook.test", body,
                                                 PENDING if endpoint.state == ACTIVE else HELD))
        session.add(row)
        session.flush()
        return _delivery_view(row)


def _delivery_view(row: OutboxMessage, attempts: list[DeliveryAttempt] | None = None) -> dict:
    view = {"id": row.id, "webhook_id": row.message_id, "event_type": row.event_type, "instance_id": row.instance_id,
            "state": row.state, "attempts": row.attempts, "next_attempt_at": row.next_attempt_at,
            "last_status": row.last_status, "last_error": row.last_error, "created_at": row.created_at,
            "delivered_at": row.delivered_at}
    if attempts is not None:
        view["log"] = [{"attempt": a.attempt, "at": a.at, "status": a.status, "latency_ms": a.latency_ms,
                        "error": a.error, "response": a.response} for a in attempts]
        view["body"] = row.body
    return view


def deliveries(db: Database, endpoint_id: int, *, state: str | None = None, limit: int = 50,
               before: int | None = None) -> list[dict]:
    with db.reader() as session:
        _get(session, endpoint_id)
        query = select(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id)
        if state:
            query = query.where(OutboxMessage.state == state)
        if before:
            query = query.where(OutboxMessage.id < before)
        rows = session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()
        latency = _last_latency(session, [r.id for r in rows])
        return [{**_delivery_view(r), "last_latency_ms": latency.get(r.id)} for r in rows]


def _last_latency(session, ids: list[int]) -> dict[int, int | None]:
    if not ids:
        return {}
    latest = (select(DeliveryAttempt.outbox_id, func.max(DeliveryAttempt.attempt).label("n"))
              .where(DeliveryAttempt.outbox_id.in_(ids)).group_by(DeliveryAttempt.outbox_id).subquery())
    rows = session.execute(select(DeliveryAttempt.outbox_id, DeliveryAttempt.latency_ms)
                           .join(latest, (latest.c.outbox_id == DeliveryAttempt.outbox_id)
                                 & (latest.c.n == DeliveryAttempt.attempt)))
    return {outbox_id: ms for outbox_id, ms in rows}


def delivery(db: Database, endpoint_id: int, delivery_id: int) -> dict:
    with db.reader() as session:
        row = _delivery(session, endpoint_id, delivery_id)
        attempts = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outbox_id == row.id)
                                   .order_by(DeliveryAttempt.attempt, DeliveryAttempt.id)).all()
        return _delivery_view(row, list(attempts))


def _delivery(session, endpoint_id: int, delivery_id: int) -> OutboxMessage:
    row = session.get(OutboxMessage, delivery_id)
    if row is None or row.endpoint_id != endpoint_id or row.channel != WEBHOOK:
        raise NotFound(f"Pengiriman {delivery_id} tidak ditemukan. / Delivery {delivery_id} not found.")
    _get(session, endpoint_id)
    return row


def redeliver(db: Database, endpoint_id: int, delivery_id: int) -> dict:
    """Send a delivered or dead-lettered message again, with the same ``webhook-id`` and a fresh retry schedule."""
    now = clock.now()
    with db.unit_of_work() as session:
        row = _delivery(session, endpoint_id, delivery_id)
        if row.state not in (DELIVERED, FAILED):
            raise Conflict(f"Pengiriman ini masih {row.state}; tunggu hingga selesai. / This delivery is still "
                           f"{row.state}; it can be sent again once it has been delivered or has failed.")
        endpoint = _get(session, endpoint_id)
        _requeue(row, endpoint, now)
        return _delivery_view(row)


def redeliver_failed(db: Database, endpoint_id: int, since=None) -> int:
    """Every dead-lettered message of the endpoint (since a moment) back in the queue, e.g. after a long outage."""
    now = clock.now()
    with db.unit_of_work() as session:
        endpoint = _get(session, endpoint_id)
        query = select(OutboxMessage).where(OutboxMessage.endpoint_id == endpoint_id, OutboxMessage.state == FAILED)
        if since is not None:
            query = query.where(OutboxMessage.created_at >= since)
        rows = session.scalars(query).all()
        for row in rows:
            _requeue(row, endpoint, now)
        return len(rows)


def _requeue(row: OutboxMessage, endpoint: WebhookEndpoint, now) -> None:
    row.state = PENDING if endpoint.state == ACTIVE else HELD
    row.attempts, row.next_attempt_at, row.updated_at = 0, now, now
    row.last_error = None
    if endpoint.state == DISABLED:
        row.last_error = "menunggu endpoint diaktifkan lagi / waiting for the endpoint to be resumed"
