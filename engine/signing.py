"""The Ed25519 key that signs journal checkpoints; it lives in a file, never in the database.

Whoever can write the database can rewrite a journal and recompute every hash; they cannot sign a
checkpoint without this file. Keep it on another disk or mount than the database, readable only by the
account Alur runs as, and give the auditor the public key (it is in every exported checkpoint file).
"""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import AlurError


class KeyUnavailable(AlurError):
    status = 503
    title = "Kunci tanda tangan audit tidak tersedia / Audit signing key unavailable"


def key_path(config: dict) -> tuple[Path, bool]:
    """The key file and whether Alur may create it (only at the development default under VAR_DIR)."""
    configured = str(config.get("AUDIT_KEY_PATH") or "")
    if configured:
        return Path(configured), False
    if not config.get("VAR_DIR"):
        raise KeyUnavailable("Neither ALUR_AUDIT_KEY_PATH nor ALUR_VAR_DIR is set. / Set ALUR_AUDIT_KEY_PATH.")
    return Path(str(config["VAR_DIR"])) / "audit" / "checkpoint-ed25519.pem", True


def load_key(config: dict) -> Ed25519PrivateKey:
    path, may_create = key_path(config)
    if not path.exists():
        if not may_create:
            raise KeyUnavailable(f"ALUR_AUDIT_KEY_PATH menunjuk {path}, yang tidak ada. / ALUR_AUDIT_KEY_PATH "
                                 f"points at {path}, which does not exist; create it with `alur audit keygen`.")
        try:
            return create_key(path)
        except FileExistsError:  # another process created it just now: use theirs
            pass
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyUnavailable(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnavailable(f"{path} holds a key that is not Ed25519.")
    return key


def create_key(path: Path) -> Ed25519PrivateKey:
    """A new key in ``path`` (mode 0600), complete or not at all; refuses to overwrite one that exists."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        os.link(partial, path)  # fails when the key exists: a key is never replaced
    finally:
        partial.unlink(missing_ok=True)
    return key


def public_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public: str) -> str:
    """A short name of a public key (the first 16 hex digits of the SHA-256 of its raw bytes)."""
    return hashlib.sha256(base64.b64decode(public)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def valid(public: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(base64.b64decode(signature), message)
        return True
    except (InvalidSignature, ValueError):
        return False
