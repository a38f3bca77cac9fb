"""Signed checkpoints of the journal: the head hash and count of every chain at a moment, signed with Ed25519.

A checkpoint is what makes a cut tail visible: the chain of a case can be shortened and still be a valid
chain, but it no longer reaches the head a checkpoint signed. Rows are append-only (database triggers).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime


class Checkpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    # None: every case (a global checkpoint); otherwise the one case it covers.
    instance_id: Mapped[int | None] = mapped_column(BigId)
    instances: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the canonical JSON of ``heads``: one value that stands for every chain's head.
    digest: Mapped[str] = mapped_column(String(64))
    # Canonical JSON {"<instance id>": [count, head hash], ...}, exactly as signed.
    heads: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
