"""Dry runs: a diagram (a draft or a deployed version) run with test data, apart from every live case.

A dry run keeps its own state here and nothing else: no instance, task, journal, outbox or notification
row is written for it (``engine.services.dryruns``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, Json, UTCDateTime


class DryRun(Base):
    __tablename__ = "dry_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255))
    # A deployed version, or None for a draft whose XML is kept below.
    process_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"), nullable=True)
    model_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    xml: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    workflow: Mapped[str] = mapped_column(Text)
    # What the handlers of service tasks "return" in the dry run: {element id or handler name: value}.
    service_results: Mapped[dict] = mapped_column(Json)
    steps: Mapped[list] = mapped_column(Json)
    error: Mapped[dict | None] = mapped_column(Json, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
