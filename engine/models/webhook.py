"""Webhook subscriptions (outgoing) and inbound hooks with their idempotency records (incoming)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, Json, UTCDateTime

ACTIVE, PAUSED, DISABLED = "active", "paused", "disabled"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(255), default="")
    events: Mapped[list[str]] = mapped_column(Json)  # event types, "prefix.*" or "*"
    secret: Mapped[str] = mapped_column(String(128))  # whsec_ + base64 of 32 random bytes
    # After a rotation the old secret also signs, until previous_secret_until, so receivers can switch over.
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))
    state_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


START, MESSAGE = "start", "message"
TOKEN, HMAC = "token", "hmac"


class InboundHook(Base):
    """``POST /api/v1/hooks/{name}``: what it does (start a process, or deliver a BPMN message) and who may call."""

    __tablename__ = "inbound_hooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    action: Mapped[str] = mapped_column(String(12))
    process_id: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(String(255))
    # For "message": the field of the request body holding the id of the waiting case.
    instance_field: Mapped[str] = mapped_column(String(64), default="instance_id")
    auth: Mapped[str] = mapped_column(String(8))
    secret: Mapped[str | None] = mapped_column(String(128))
    roles: Mapped[list[str]] = mapped_column(Json, default=list)  # token: roles allowed to call (empty: any)
    act_as: Mapped[str | None] = mapped_column(String(64))  # hmac: the role the hook acts in
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HookRequest(Base):
    """The first response to an ``Idempotency-Key``; written in the same transaction as the hook's effect."""

    __tablename__ = "hook_requests"
    __table_args__ = (UniqueConstraint("hook_name", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hook_name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
