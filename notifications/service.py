"""Sending a notification inside the caller's transaction: in-app rows for accounts, outbox rows for e-mail.

Nothing here raises for a problem with a recipient or a template: the problem is recorded as a failed
e-mail (listed for ``sekretariat``) and the case goes on.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy import insert

from engine import clock
from engine.models import Notification, OutboxMessage
from engine.models.notification import MAIL_NONE, MAIL_SENT
from webhooks import outbox

from . import templates
from .recipients import Recipient

log = logging.getLogger(__name__)
INSERT_NOTIFICATIONS = insert(Notification.__table__)
INSERT_OUTBOX = insert(OutboxMessage.__table__)


@dataclass
class Summary:
    in_app: int = 0
    emails: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"in_app": self.in_app, "emails": self.emails, "failed": len(self.failed)}


def case_link(config: dict, instance_id: int | None) -> str:
    base = str(config.get("BASE_URL") or "").rstrip("/")
    return f"{base}/cases/{instance_id}" if instance_id else base


def message_id() -> str:
    return f"ntf_{uuid.uuid4().hex}"


def send(session, config: dict, *, template: str, recipients: list[Recipient], context: dict,
         instance_id: int | None, kind: str = "pesan", task_id: str | None = None,
         event_type: str = "notification", email_for=None, in_app: bool = True) -> Summary:
    """Render ``template`` for each recipient and write what goes out.

    ``email_for(recipient)`` decides per account whether the e-mail goes now (True), waits for the digest
    ("digest") or not at all (False); by default every recipient with an address gets it now.
    """
    summary = Summary()
    notes, mails = [], []
    now = clock.now()
    try:
        loaded = templates.load(session, config, template)
    except templates.TemplateProblem as exc:
        loaded, template_problem = None, str(exc)
    for person in recipients:
        if person.problem or loaded is None:
            problem = person.problem or template_problem
            mails.append(outbox.email_row(message_id(), event_type, person.email, f"[{template}]", "",
                                          instance_id=instance_id, user_id=person.user_id, error=problem))
            summary.failed.append(problem)
            continue
        try:
            rendered = templates.render(loaded, {**context, "penerima": {"nama": person.name,
                                                                         "username": person.username}})
        except templates.TemplateProblem as exc:
            problem = f"{exc} {exc.errors}"
            mails.append(outbox.email_row(message_id(), event_type, person.email, f"[{template}]", "",
                                          instance_id=instance_id, user_id=person.user_id, error=problem))
            summary.failed.append(problem)
            continue
        choice = email_for(person) if email_for is not None else True
        if person.user_id is not None and in_app:
            notes.append({"user_id": person.user_id, "kind": kind, "title": rendered.subject[:300],
                          "body": rendered.body, "title_en": rendered.subject_en[:300], "body_en": rendered.body_en,
                          "instance_id": instance_id, "task_id": task_id, "created_at": now, "read_at": None,
                          "email_state": _mail_state(choice, person)})
        if choice is True and person.email:
            mails.append(outbox.email_row(message_id(), event_type, person.email, rendered.subject,
                                          rendered.email_text(), instance_id=instance_id, user_id=person.user_id))
            summary.emails += 1
        elif choice is True and person.user_id is None:
            problem = "tanpa alamat e-mail / no e-mail address"
            mails.append(outbox.email_row(message_id(), event_type, None, rendered.subject, rendered.email_text(),
                                          instance_id=instance_id, error=problem))
            summary.failed.append(problem)
    connection = session.connection()
    if notes:
        connection.execute(INSERT_NOTIFICATIONS, notes)
        summary.in_app = len(notes)
    if mails:
        connection.execute(INSERT_OUTBOX, mails)
    if summary.failed:
        log.warning("notification problems", extra={"template": template, "instance_id": instance_id,
                                                    "failed": len(summary.failed)})
    return summary


def _mail_state(choice, person: Recipient) -> str:
    if choice == "digest" and person.email:
        return "digest"
    if choice is True and person.email:
        return MAIL_SENT
    return MAIL_NONE
