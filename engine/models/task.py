"""The inbox projection: one row per human task, written in the same transaction as the instance."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, Base, Json, UTCDateTime

READY, COMPLETED, CANCELLED = "ready", "completed", "cancelled"


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_role_state_due", "role", "state", "due_at"),
        Index("ix_tasks_instance_state", "instance_id", "state"),
        Index("ix_tasks_assignee_state", "assignee", "state"),
        # The inbox (engine/services/inbox.py): open tasks only, in inbox order, per role and per assignee.
        Index("ix_tasks_open_role", "role", "due_at", "created_at", "id", postgresql_include=["process_id"],
              postgresql_where=text("state = 'ready'"), sqlite_where=text("state = 'ready'")),
        Index("ix_tasks_open_assignee", "assignee", "due_at", "created_at", "id",
              postgresql_where=text("state = 'ready'"), sqlite_where=text("state = 'ready'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("instances.id"))
    process_id: Mapped[str] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(64))  # the lane; None = whoever started the case
    form: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(12))
    assignee: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))
    pasal: Mapped[str | None] = mapped_column(String(64))
    extra: Mapped[dict | None] = mapped_column(Json)
