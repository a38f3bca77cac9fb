"""The development mode's mail folder, readable in the app: with no ``ALUR_SMTP_HOST`` the worker writes each
e-mail to ``ALUR_MAIL_DIR`` (``webhooks/mail.py``) instead of sending it; this lists and reads them back for
the ``/admin/surat`` page. Only file names the worker writes are opened, never a path from the request."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy

from engine.errors import NotFound
from webhooks.mail import mail_dir

NAME = re.compile(r"^\d{8}T\d{6}-[A-Za-z0-9_.+-]{1,120}\.eml$")


@dataclass(frozen=True)
class Kept:
    name: str
    sender: str
    recipient: str
    subject: str
    date: str
    text: str


def enabled(config: dict) -> bool:
    return not config.get("SMTP_HOST")


def _read(path) -> Kept:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    return Kept(path.name, str(message["From"] or ""), str(message["To"] or ""), str(message["Subject"] or ""),
                str(message["Date"] or ""), body.get_content() if body is not None else "")


def list_kept(config: dict, limit: int = 100) -> list[Kept]:
    folder = mail_dir(config)
    if not folder.is_dir():
        return []
    names = sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=lambda p: p.name, reverse=True)
    return [_read(p) for p in names[:limit]]


def read(config: dict, name: str) -> Kept:
    path = mail_dir(config) / name
    if not NAME.match(name) or not path.is_file():
        raise NotFound(f"Surat {name} tidak ada di folder. / Message {name} is not in the folder.")
    return _read(path)
