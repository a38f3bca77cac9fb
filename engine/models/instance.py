"""A running (or finished) case: the workflow's serialized state and its optimistic version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, Json, UTCDateTime

RUNNING, COMPLETED, CANCELLED, ERROR = "running", "completed", "cancelled", "error"


class Instance(Base):
    __tablename__ = "instances"
    __table_args__ = (
        Index("ix_instances_process_state", "process_id", "state"),
        Index("ix_instances_next_timer", "next_timer_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    model_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    # Optimistic concurrency: every write is UPDATE ... WHERE version = :seen.
    version: Mapped[int] = mapped_column(Integer, default=1)
    workflow: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(16))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[dict | None] = mapped_column(Json)
    # Head of the journal's hash chain, kept here so appending needs no extra SELECT.
    journal_seq: Mapped[int] = mapped_column(Integer, default=0)
    journal_head: Mapped[str] = mapped_column(String(64))
    # Earliest moment a waiting timer of this instance is due; the worker polls this index.
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
