"""The transactional outbox: one row per message to one destination (a webhook endpoint or an e-mail
address), written in the same transaction as the change it reports, and the log of every attempt.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime

WEBHOOK, EMAIL = "webhook", "email"
# pending: due at next_attempt_at; held: waits for its paused or disabled endpoint; delivered; failed: the
# last try failed or the receiver refused for good (dead letter); cancelled: its endpoint was deleted.
PENDING, HELD, DELIVERED, FAILED, CANCELLED = "pending", "held", "delivered", "failed", "cancelled"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_due", "state", "next_attempt_at"),
        Index("ix_outbox_endpoint", "endpoint_id", "id"),
        Index("ix_outbox_channel_state", "channel", "state"),
        UniqueConstraint("endpoint_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # Stable across retries: the ``webhook-id`` header, or the e-mail's Message-ID.
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(BigId)
    endpoint_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("webhook_endpoints.id"))
    recipient: Mapped[str | None] = mapped_column(String(254))  # e-mail address
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    # Webhook: the exact JSON body sent. E-mail: JSON {"subject", "text"}.
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status or SMTP reply code
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    """One try at delivering one outbox row: the delivery log."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_outbox", "outbox_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(String(500))
