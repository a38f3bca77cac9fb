"""In-app notifications, each user's delivery preference, and notification templates edited in the app."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime

# How a task notification reaches a user by e-mail.
INSTANT, DIGEST, OFF = "instant", "digest", "off"
# A notification's e-mail: none sent, waiting for the daily digest, or already sent (alone or in a digest).
MAIL_NONE, MAIL_DIGEST, MAIL_SENT = "none", "digest", "sent"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_id", "user_id", "id"),
        Index("ix_notifications_digest", "email_state", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # "tugas" (a task landed) or "pesan" (a diagram's message)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(String(300))
    body_en: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(BigId)
    task_id: Mapped[str | None] = mapped_column(String(36))
    email_state: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationSetting(Base):
    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"), primary_key=True)
    task_email: Mapped[str] = mapped_column(String(8))
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationTemplate(Base):
    """A template edited in the app; it takes precedence over the file of the same name."""

    __tablename__ = "notification_templates"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(300))
    body_en: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OverdueNotice(Base):
    """A task whose service level passed and whose lane was told so, once."""

    __tablename__ = "overdue_notices"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
