"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets, signing and verifying.

``webhook-signature`` is ``v1,`` + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")); several
signatures are separated by spaces (Alur sends two for a day after a secret is rotated).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret[len(PREFIX):] if secret.startswith(PREFIX) else secret)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key_bytes(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }


def verify(secret: str, msg_id: str, timestamp: str, signature_header: str, body: bytes, now: int) -> bool:
    """True when one of the header's ``v1`` signatures matches and the timestamp is within five minutes."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, msg_id, sent, body)
    return any(hmac.compare_digest(expected, candidate)
               for candidate in (signature_header or "").split() if candidate.startswith("v1,"))
