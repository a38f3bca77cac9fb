"""Reading the public announcements, for the public page and the API."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from engine.db import Database
from engine.models import Pengumuman


def berlaku(db: Database, pada: datetime, limit: int = 50) -> list[dict]:
    """Announcements not withdrawn and not past their end, newest first."""
    with db.reader() as session:
        rows = session.scalars(select(Pengumuman).where(
            Pengumuman.dicabut_pada.is_(None), or_(Pengumuman.sampai.is_(None), Pengumuman.sampai >= pada))
            .order_by(Pengumuman.diterbitkan_pada.desc(), Pengumuman.id.desc()).limit(limit)).all()
        return [{"id": r.id, "jenis": r.jenis, "judul": r.judul, "isi": r.isi, "mulai": r.mulai, "sampai": r.sampai,
                 "diterbitkan_pada": r.diterbitkan_pada} for r in rows]
