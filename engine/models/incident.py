"""Incidents: a case that failed and what is being done about it (automatic retries, then a person)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, Json, UTCDateTime

RETRYING, OPEN, RESOLVED = "retrying", "open", "resolved"


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_status_next_retry", "status", "next_retry_at"),
        Index("ix_incidents_instance_status", "instance_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("instances.id"))
    process_id: Mapped[str] = mapped_column(String(255))
    element_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12))  # retrying -> open -> resolved
    # A handler that failed (network, a service that was down) may succeed later; a script bug will not.
    retryable: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer)  # failed runs so far
    max_attempts: Mapped[int] = mapped_column(Integer)  # the first run plus the automatic retries
    backoff_base: Mapped[int] = mapped_column(Integer)  # seconds; retry n waits backoff_base * 2**(n-1)
    backoff_max: Mapped[int] = mapped_column(Integer)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[dict] = mapped_column(Json)  # the last error: element, message, line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it needed a person
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
