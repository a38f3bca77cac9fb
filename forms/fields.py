"""Fields for the numbers Indonesian users type: NIK, NPWP, NIB, NIP and telephone numbers.

Each accepts the number as people write it (dots, dashes, spaces), checks it with python-stdnum where
a checksum or structure exists, and stores digits only. Messages are in Bahasa Indonesia and English.
"""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value)


class _Number(fields.String):
    """A string of digits written with optional separators; loads as digits only."""

    message = "Nomor tidak valid / Invalid number."

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        digits = _digits(text)
        if not digits.isdigit():
            raise ValidationError(self.message)
        return self.check(digits)

    def check(self, digits: str) -> str:
        return digits


class NIK(_Number):
    """Nomor Induk Kependudukan: 16 digits PPRRSSDDMMYYXXXX, checked by python-stdnum."""

    message = "NIK harus 16 digit yang sah / NIK must be 16 valid digits."

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": r"^\d{16}$", "x-personal": True})
        super().__init__(**kwargs)

    def check(self, digits: str) -> str:
        try:
            return stdnum_nik.validate(digits)
        except StdnumError:
            raise ValidationError(self.message) from None


class NPWP(_Number):
    """Nomor Pokok Wajib Pajak: 15 digits (old form) or 16 digits (since 2024), checked by python-stdnum."""

    message = "NPWP harus 15 atau 16 digit yang sah / NPWP must be 15 or 16 valid digits."

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": r"^\d{15,16}$", "x-personal": True})
        super().__init__(**kwargs)

    def check(self, digits: str) -> str:
        try:
            return stdnum_npwp.validate(digits)
        except StdnumError:
            raise ValidationError(self.message) from None


class NIB(_Number):
    """Nomor Induk Berusaha from OSS: 13 digits (no public checksum)."""

    message = "NIB harus 13 digit / NIB must be 13 digits."

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": r"^\d{13}$"})
        super().__init__(**kwargs)

    def check(self, digits: str) -> str:
        if len(digits) != 13:
            raise ValidationError(self.message)
        return digits


class NIP(_Number):
    """Nomor Induk Pegawai of a civil servant: 18 digits beginning with a date of birth."""

    message = "NIP harus 18 digit / NIP must be 18 digits."

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": r"^\d{18}$"})
        super().__init__(**kwargs)

    def check(self, digits: str) -> str:
        if len(digits) != 18:
            raise ValidationError(self.message)
        return digits


class Telepon(fields.String):
    """An Indonesian telephone number: +62 or 0 then 8-13 digits; stored as 0-prefixed digits."""

    message = "Nomor telepon tidak valid (contoh 0812 3456 7890) / Invalid phone number (e.g. 0812 3456 7890)."

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        digits = re.sub(r"[\s.\-()]", "", text)
        if digits.startswith("+62"):
            digits = "0" + digits[3:]
        elif digits.startswith("62"):
            digits = "0" + digits[2:]
        if not re.fullmatch(r"0\d{8,13}", digits):
            raise ValidationError(self.message)
        return digits
