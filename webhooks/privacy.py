"""Personal numbers (NIK, NPWP) never leave Alur: stripped from webhook payloads, masked in messages.

A NIK is 16 digits and an NPWP 15 or 16; people write them bare, dotted (01.234.567.8-901.000) or in
groups (3572 0101 0101 0001). Any run of 15-16 digits with at most one separator between digits is
treated as one, wherever it appears; fields named like ``nik``, ``npwp`` or ``ktp`` are dropped from
payloads whatever they hold.
"""
from __future__ import annotations

import re

# Not glued to a letter: a UUID-style element id (_b9343536-6490-4559-8365-71d5c4cbb7cb) holds 15 digits
# between separators right after a hex letter, and is no one's number; "registrasi_3505…" still is.
_NUMBER = re.compile(r"(?<![A-Za-z\d])(?:\d[ .\-/]?){14,15}\d(?!\d)")
_PERSONAL_KEYS = {"nik", "npwp", "ktp"}


def mask_text(text: str) -> str:
    """``3572010101010001`` → ``3572********0001``, inside any text."""

    def _mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]

    return _NUMBER.sub(_mask, text)


def is_personal_key(key: str) -> bool:
    """``nik``, ``npwp_perusahaan``, ``nomor-ktp``: a field that holds a personal number by its name."""
    return any(part in _PERSONAL_KEYS for part in re.split(r"[^a-z0-9]+", str(key).lower()))


def masked(value):
    """The value with every personal number masked (for messages people read: they may see the last digits)."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and 15 <= len(str(abs(value))) <= 16:
        return mask_text(str(value))
    return value


def stripped(value):
    """The value without personal-number fields and with any other personal number masked (for payloads)."""
    if isinstance(value, dict):
        return {k: stripped(v) for k, v in value.items() if not is_personal_key(k)}
    if isinstance(value, (list, tuple)):
        return [stripped(v) for v in value]
    return masked(value)
