"""The in-app notification list, each user's e-mail preference, failed e-mails for ``sekretariat``, and the
templates edited in the app: the service functions behind ``/api/v1/notifications``."""
from __future__ import annotations

import json

from sqlalchemy import func, select, update

from engine import clock
from engine.db import Database
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import DeliveryAttempt, Notification, NotificationSetting, NotificationTemplate, OutboxMessage
from engine.models.notification import DIGEST, INSTANT, OFF
from engine.models.outbox import EMAIL, FAILED, PENDING
from engine.principal import Principal

from . import recipients, templates

MODES = (INSTANT, DIGEST, OFF)


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:
        raise NotFound("Notifikasi hanya untuk akun pengguna. / Notifications belong to user accounts.")
    return principal.user_id


def _view(n: Notification) -> dict:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "title_en": n.title_en,
            "body_en": n.body_en, "instance_id": n.instance_id, "task_id": n.task_id, "created_at": n.created_at,
            "read_at": n.read_at, "read": n.read_at is not None}


def unread_count(db: Database, principal: Principal) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == _user_id(principal), Notification.read_at.is_(None)))


def list_notifications(db: Database, principal: Principal, *, unread_only: bool = False, limit: int = 50,
                       before: int | None = None) -> tuple[list[dict], int]:
    user_id = _user_id(principal)
    with db.reader() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        if before:
            query = query.where(Notification.id < before)
        items = [_view(n) for n in session.scalars(query.order_by(Notification.id.desc()).limit(limit))]
        unread = session.scalar(select(func.count()).select_from(Notification)
                                .where(Notification.user_id == user_id, Notification.read_at.is_(None)))
        return items, unread


def mark_read(db: Database, principal: Principal, notification_id: int) -> dict:
    with db.unit_of_work() as session:
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != _user_id(principal):
            raise NotFound(f"Notifikasi {notification_id} tidak ditemukan. / Notification {notification_id} not found.")
        if note.read_at is None:
            note.read_at = clock.now()
        return _view(note)


def mark_all_read(db: Database, principal: Principal) -> int:
    with db.unit_of_work() as session:
        result = session.execute(update(Notification).where(Notification.user_id == _user_id(principal),
                                                            Notification.read_at.is_(None))
                                 .values(read_at=clock.now()))
        return result.rowcount


def get_settings(db: Database, principal: Principal) -> dict:
    with db.reader() as session:
        row = session.get(NotificationSetting, _user_id(principal))
        return {"task_email": row.task_email if row else INSTANT,
                "last_digest_at": row.last_digest_at if row else None}


def put_settings(db: Database, principal: Principal, task_email: str) -> dict:
    if task_email not in MODES:
        raise ValidationFailed("Pilihan tidak dikenal. / Unknown choice.",
                               {"task_email": [f"Pilih / choose: {', '.join(MODES)}"]})
    now = clock.now()
    with db.unit_of_work() as session:
        row = session.get(NotificationSetting, _user_id(principal))
        if row is None:
            row = NotificationSetting(user_id=principal.user_id, task_email=task_email, last_digest_at=None,
                                      updated_at=now)
            session.add(row)
        row.task_email, row.updated_at = task_email, now
        return {"task_email": row.task_email, "last_digest_at": row.last_digest_at}


# --- failed e-mail, for sekretariat --------------------------------------------------------------

def _failure_view(row: OutboxMessage) -> dict:
    subject = ""
    try:
        subject = json.loads(row.body).get("subject", "")
    except ValueError:
        pass
    return {"id": row.id, "recipient": row.recipient, "subject": subject, "event_type": row.event_type,
            "instance_id": row.instance_id, "state": row.state, "attempts": row.attempts,
            "last_status": row.last_status, "error": row.last_error, "created_at": row.created_at,
            "next_attempt_at": row.next_attempt_at if row.state == PENDING else None}


def failures(db: Database, *, retrying: bool = False, limit: int = 100, before: int | None = None) -> list[dict]:
    """E-mails that failed for good (bad address, refused, out of retries), or those still being retried."""
    with db.reader() as session:
        query = select(OutboxMessage).where(OutboxMessage.channel == EMAIL)
        if retrying:
            query = query.where(OutboxMessage.state == PENDING, OutboxMessage.attempts > 0,
                                OutboxMessage.last_error.is_not(None))
        else:
            query = query.where(OutboxMessage.state == FAILED)
        if before:
            query = query.where(OutboxMessage.id < before)
        return [_failure_view(r) for r in session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit))]


def recent(db: Database, limit: int = 50) -> list[dict]:
    """The e-mail delivery log: the latest e-mails in any state, with the status and latency of their last try."""
    with db.reader() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == EMAIL)
                               .order_by(OutboxMessage.id.desc()).limit(limit)).all()
        latency = dict(session.execute(
            select(DeliveryAttempt.outbox_id, DeliveryAttempt.latency_ms)
            .where(DeliveryAttempt.outbox_id.in_([r.id for r in rows]))
            .order_by(DeliveryAttempt.attempt)).all()) if rows else {}
        return [{**_failure_view(r), "delivered_at": r.delivered_at, "latency_ms": latency.get(r.id)} for r in rows]


def resend(db: Database, outbox_id: int, recipient: str | None = None) -> dict:
    """Send a failed e-mail again, to a corrected address if one is given."""
    if recipient is not None and not recipients.valid_email(recipient):
        raise ValidationFailed("Alamat e-mail tidak sah. / Invalid e-mail address.",
                               {"recipient": ["Tulis alamat seperti nama@contoh.go.id / Write an address such as "
                                              "name@example.go.id"]})
    now = clock.now()
    with db.unit_of_work() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.channel != EMAIL:
            raise NotFound(f"E-mail {outbox_id} tidak ditemukan. / E-mail {outbox_id} not found.")
        if row.state != FAILED:
            raise Conflict(f"E-mail ini {row.state}, bukan gagal. / This e-mail is {row.state}, not failed.")
        content = json.loads(row.body)
        if not content.get("text"):
            raise Conflict("E-mail ini tidak pernah dibuat (templat atau penerima bermasalah); perbaiki lalu jalankan "
                           "ulang langkahnya. / This e-mail was never composed (template or recipient problem).")
        target = recipient or row.recipient
        if not recipients.valid_email(target):
            raise ValidationFailed("Berikan alamat e-mail yang benar. / Give a correct address.",
                                   {"recipient": ["Wajib diisi / Required"]})
        row.recipient, row.state, row.attempts = target, PENDING, 0
        row.next_attempt_at, row.updated_at, row.last_error = now, now, None
        return _failure_view(row)


# --- templates edited in the app -----------------------------------------------------------------

def _template_view(t: templates.Template) -> dict:
    return {"name": t.name, "source": t.source, "subject": t.subject, "body": t.body, "subject_en": t.subject_en,
            "body_en": t.body_en}


def list_templates(db: Database, config: dict) -> list[dict]:
    with db.reader() as session:
        return [_template_view(t) for t in templates.all_templates(session, config)]


def get_template(db: Database, config: dict, name: str) -> dict:
    with db.reader() as session:
        try:
            return _template_view(templates.load(session, config, name))
        except templates.TemplateProblem as exc:
            raise NotFound(str(exc)) from None


def put_template(db: Database, config: dict, principal: Principal, name: str, parts: dict) -> dict:
    if not templates.NAME.match(name):
        raise ValidationFailed("Nama templat tidak sah. / Invalid template name.",
                               {"name": ["huruf kecil, angka, _ / lower-case letters, digits and _"]})
    try:
        templates.check(parts)
    except templates.TemplateProblem as exc:
        raise ValidationFailed(str(exc), exc.errors) from None
    with db.unit_of_work() as session:
        row = session.get(NotificationTemplate, name) or NotificationTemplate(name=name)
        for field in templates.FIELDS:
            setattr(row, field, parts[field])
        row.updated_by, row.updated_at = principal.username, clock.now()
        session.add(row)
        session.flush()
        return _template_view(templates.load(session, config, name))


def reset_template(db: Database, config: dict, name: str) -> None:
    """Forget the app's edit: the file's version applies again."""
    with db.unit_of_work() as session:
        row = session.get(NotificationTemplate, name)
        if row is None:
            raise NotFound(f"Templat \"{name}\" tidak diubah di aplikasi. / Template \"{name}\" was not edited in "
                           f"the app.")
        session.delete(row)


def preview(db: Database, config: dict, name: str, data: dict) -> dict:
    with db.reader() as session:
        try:
            template = templates.load(session, config, name)
            context = {**templates.sample_context(), **data, "data": data}
            rendered = templates.render(template, context)
        except templates.TemplateProblem as exc:
            raise ValidationFailed(str(exc), exc.errors) from None
    return {"subject": rendered.subject, "body": rendered.body, "subject_en": rendered.subject_en,
            "body_en": rendered.body_en}
