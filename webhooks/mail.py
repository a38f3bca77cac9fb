"""Sending one e-mail: by SMTP (STARTTLS or TLS, with the configured credentials) or, when no SMTP host is
configured (the Quick start's development mode), into a folder where a developer can read it.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from engine import clock

from .outcome import Outcome

STARTTLS, TLS, NONE = "starttls", "tls", "none"


def mail_dir(config: dict) -> Path:
    return Path(str(config.get("MAIL_DIR") or "") or Path(str(config["VAR_DIR"])) / "mail")


def build(config: dict, recipient: str, subject: str, text: str, message_id: str) -> EmailMessage:
    sender = str(config.get("SMTP_FROM") or "Alur <noreply@localhost>")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = re.sub(r"\s+", " ", subject).strip()[:250]  # no header injection through case data
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    return message


def send(config: dict, recipient: str, subject: str, text: str, message_id: str) -> Outcome:
    message = build(config, recipient, subject, text, message_id)
    if not config.get("SMTP_HOST"):
        return _to_folder(config, message, message_id)
    started = time.perf_counter()
    try:
        _smtp(config, message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        return _failed(started, code, f"alamat ditolak / address refused: {_text(reply)}", permanent=_is_5xx(code))
    except smtplib.SMTPDataError as exc:
        return _failed(started, exc.smtp_code, f"pesan ditolak / message refused: {_text(exc.smtp_error)}",
                       permanent=_is_5xx(exc.smtp_code))
    except smtplib.SMTPResponseException as exc:
        return _failed(started, exc.smtp_code, f"{type(exc).__name__}: {_text(exc.smtp_error)}")
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        return _failed(started, None, f"{type(exc).__name__}: {exc}")
    return Outcome(True, 250, int((time.perf_counter() - started) * 1000))


def _smtp(config: dict, message: EmailMessage) -> None:
    host, port = str(config["SMTP_HOST"]), int(config.get("SMTP_PORT") or 587)
    security = str(config.get("SMTP_SECURITY") or STARTTLS).lower()
    timeout = float(config.get("DELIVERY_TIMEOUT_SECONDS") or 10)
    context = ssl.create_default_context(cafile=str(config.get("SMTP_CA_FILE") or "") or None)
    username = str(config.get("SMTP_USERNAME") or "")
    if security not in (STARTTLS, TLS, NONE):
        raise ValueError(f"ALUR_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
    if username and security == NONE:
        raise ValueError("refusing to send SMTP credentials without TLS: set ALUR_SMTP_SECURITY to starttls or tls")
    if security == TLS:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        client.ehlo()
        if security == STARTTLS:
            client.starttls(context=context)  # SMTPNotSupportedError when the server does not offer it
            client.ehlo()
        if username:
            client.login(username, str(config.get("SMTP_PASSWORD") or ""))
        client.send_message(message)


def _to_folder(config: dict, message: EmailMessage, message_id: str) -> Outcome:
    folder = mail_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{message_id}.eml"
    path.write_bytes(bytes(message))
    return Outcome(True, None, 0, response=f"written to {path}")


def _failed(started: float, code: int | None, error: str, *, permanent: bool = False) -> Outcome:
    return Outcome(False, code, int((time.perf_counter() - started) * 1000), error[:1000], permanent=permanent)


def _is_5xx(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
