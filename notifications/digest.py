"""The daily digest: one e-mail a day listing the tasks that landed, for staff who chose it.

A worker job. Once the local hour reaches ``ALUR_DIGEST_HOUR`` (in ``ALUR_TIMEZONE``), every account whose
choice is "digest" and whose last digest is older than today's digest hour gets one e-mail with its
waiting task notifications, which are then marked as sent. Claimed row by row (``SKIP LOCKED`` on
PostgreSQL), so two workers never send one person two digests.
"""
from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update

from engine import clock
from engine.db import Database
from engine.models import Notification, NotificationSetting, User
from engine.models.notification import DIGEST, MAIL_DIGEST, MAIL_NONE, MAIL_SENT

from . import recipients, service

log = logging.getLogger(__name__)
TEMPLATE = "ringkasan_harian"


def cutoff(config: dict, now: datetime) -> datetime | None:
    """Today's digest moment in UTC, or None when it has not come yet."""
    zone = ZoneInfo(str(config.get("TIMEZONE") or "Asia/Jakarta"))
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), time(int(config.get("DIGEST_HOUR", 7)) % 24), zone)
    return moment if local >= moment else None


def run_due(db: Database, config: dict) -> int:
    now = clock.now()
    moment = cutoff(config, now)
    if moment is None:
        return 0
    with db.reader() as session:
        due = list(session.scalars(select(NotificationSetting.user_id).where(
            NotificationSetting.task_email == DIGEST,
            or_(NotificationSetting.last_digest_at.is_(None), NotificationSetting.last_digest_at < moment))))
    sent = 0
    for user_id in due:
        try:
            sent += _digest(db, config, user_id, moment)
        except Exception:  # noqa: BLE001 - one person's digest must not stop the others'
            log.exception("digest failed", extra={"user_id": user_id})
    return sent


def _digest(db: Database, config: dict, user_id: int, moment: datetime) -> int:
    now = clock.now()
    with db.unit_of_work() as session:
        query = select(NotificationSetting).where(
            NotificationSetting.user_id == user_id, NotificationSetting.task_email == DIGEST,
            or_(NotificationSetting.last_digest_at.is_(None), NotificationSetting.last_digest_at < moment))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        setting = session.scalars(query).first()
        if setting is None:
            return 0
        setting.last_digest_at = now
        notes = session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                           Notification.email_state == MAIL_DIGEST)
                                .order_by(Notification.id)).all()
        if not notes:
            return 0
        user = session.execute(select(User.id, User.username, User.full_name, User.email)
                               .where(User.id == user_id)).first()
        person = recipients.Recipient("digest", user.id, user.username, user.full_name or user.username,
                                      user.email if recipients.valid_email(user.email) else None)
        items = [{"judul": n.title, "judul_en": n.title_en, "waktu": n.created_at.isoformat(),
                  "tautan": service.case_link(config, n.instance_id)} for n in notes]
        if person.email:
            service.send(session, config, template=TEMPLATE, recipients=[person],
                         context={"jumlah": len(items), "daftar": items}, instance_id=None, kind="ringkasan",
                         event_type="notification.digest", email_for=lambda _p: True, in_app=False)
        session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                        .values(email_state=MAIL_SENT if person.email else MAIL_NONE))
        return 1
