"""The outbox's numbers for ``/metrics``, per channel (webhook, email) and state, and the oldest waiting
message: whether deliveries keep up, and which channel fails. Registered with ``engine.services.metrics``
on import (``webhooks.subscriptions`` imports it, so every web process that serves /metrics has it)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from engine.models import OutboxMessage
from engine.models.outbox import PENDING
from engine.services import metrics


@metrics.source
def outbox_numbers(session, now: datetime):
    by_state = metrics.Metric("outbox_messages", "gauge", "Outbox messages (webhook and e-mail deliveries) by "
                              "channel and state; state failed is the dead letters.", ("channel", "state"))
    for channel, state, count in session.execute(select(OutboxMessage.channel, OutboxMessage.state, func.count())
                                                 .group_by(OutboxMessage.channel, OutboxMessage.state)).all():
        by_state.add(count, channel, state)
    oldest = session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                            .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now))
    if oldest is not None and oldest.tzinfo is None:  # an aggregate bypasses the column type on SQLite
        oldest = oldest.replace(tzinfo=timezone.utc)
    lag = metrics.Metric("outbox_lag_seconds", "gauge", "How long the oldest due delivery has waited (0: none).")
    lag.add(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)
    return [by_state, lag]
