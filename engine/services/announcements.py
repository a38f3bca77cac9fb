"""Public announcements (Pasal 18d, 21(4)): what the LPSE tells every user about technical problems and
scheduled maintenance. SOP handlers publish inside their own transaction; the public page lists those
whose window is open, and maintenance announced ahead shows from ``starts_at`` on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from .. import clock
from ..db import Database
from ..errors import ValidationFailed
from ..models import Announcement


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime | None
    author: str
    created_at: datetime


def publish(session, title: str, body: str, starts_at: datetime | None, ends_at: datetime | None, author: str,
            instance_id: int | None = None) -> AnnouncementView:
    """Add an announcement inside the caller's transaction (a service-task handler passes ``ctx.session``).

    ``starts_at`` None means now; ``ends_at`` None means until withdrawn. Times must be timezone-aware.
    """
    title, body = (title or "").strip(), (body or "").strip()
    now = clock.now()
    starts_at = starts_at or now
    errors = {}
    if not title or len(title) > 200:
        errors["title"] = ["Judul wajib, paling banyak 200 karakter / A title is required, at most 200 characters"]
    if not body:
        errors["body"] = ["Isi pengumuman wajib diisi / The announcement needs a text"]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and value.tzinfo is None:
            errors[name] = ["Waktu harus memakai zona waktu / The time needs a time zone"]
    if not errors and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["Berakhir harus setelah mulai / The end must come after the start"]
    if errors:
        raise ValidationFailed("invalid announcement", errors)
    row = Announcement(title=title, body=body, starts_at=starts_at, ends_at=ends_at, author=author or "system",
                       created_at=now, instance_id=instance_id)
    session.add(row)
    session.flush()
    return _view(row)


def list_public(db: Database, now: datetime | None = None, limit: int = 100) -> list[AnnouncementView]:
    """Announcements showing now, newest first."""
    now = now or clock.now()
    with db.reader() as session:
        rows = session.scalars(select(Announcement)
                               .where(Announcement.starts_at <= now,
                                      or_(Announcement.ends_at.is_(None), Announcement.ends_at > now))
                               .order_by(Announcement.starts_at.desc(), Announcement.id.desc()).limit(limit)).all()
        return [_view(r) for r in rows]


def _view(row: Announcement) -> AnnouncementView:
    return AnnouncementView(row.id, row.title, row.body, row.starts_at, row.ends_at, row.author, row.created_at)
