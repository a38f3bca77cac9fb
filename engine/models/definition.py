"""Deployed BPMN: each file version stored once, content-addressed, and the processes it defines."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, Json, UTCDateTime


class BpmnModel(Base):
    """One uploaded file, identified by the SHA-256 of its bytes."""

    __tablename__ = "bpmn_models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    process_ids: Mapped[list[str]] = mapped_column(Json)
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessVersion(Base):
    """Version N of an executable process: the process id within one stored file."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    model_id: Mapped[int] = mapped_column(ForeignKey("bpmn_models.id"))
    model_hash: Mapped[str] = mapped_column(String(64))
    starter_roles: Mapped[list[str]] = mapped_column(Json)
    # Processes this one calls that live in other files: {process_id: sha256 of the file}, pinned at deploy.
    dependencies: Mapped[dict] = mapped_column(Json, default=dict)
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
