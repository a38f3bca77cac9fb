"""Scheduled processes: a process whose start event waits on a timer starts one new case per occurrence."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_active_next_due", "active", "next_due"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The version new cases start on: always the latest deployed version of the process.
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    element_id: Mapped[str] = mapped_column(String(255))  # the timer start event
    kind: Mapped[str] = mapped_column(String(16))  # cycle | date | duration
    expression: Mapped[str] = mapped_column(String(255))  # the ISO 8601 literal as written in the diagram
    # Occurrence k falls at anchor + k * period (calendar arithmetic in the anchor's own UTC offset).
    anchor: Mapped[str] = mapped_column(String(64))  # ISO 8601 with its offset, e.g. 2026-01-01T07:00:00+07:00
    period: Mapped[str | None] = mapped_column(String(64))  # ISO 8601 duration; None: a single occurrence
    cycles: Mapped[int | None] = mapped_column(Integer)  # how many occurrences in all; None: for ever
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: nothing more to start
    last_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_instance_id: Mapped[int | None] = mapped_column(BigId)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
