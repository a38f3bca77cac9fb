"""The base every form schema extends: bilingual error messages, unknown fields refused."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class FormSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "Isian tidak dikenal / Unknown field.",
        "type": "Data tidak valid / Invalid input type.",
    }


def _bilingual():
    fields.Field.default_error_messages.update({
        "required": "Wajib diisi / Missing data for required field.",
        "null": "Tidak boleh kosong / Field may not be null.",
        "validator_failed": "Nilai tidak valid / Invalid value.",
    })
    fields.String.default_error_messages.update({"invalid": "Harus berupa teks / Not a valid string."})
    fields.Integer.default_error_messages.update({"invalid": "Harus berupa bilangan bulat / Not a valid integer."})
    fields.Boolean.default_error_messages.update({"invalid": "Harus ya/tidak / Not a valid boolean."})
    fields.Date.default_error_messages.update({"invalid": "Tanggal tidak valid (YYYY-MM-DD) / Not a valid date."})
    fields.Email.default_error_messages.update({"invalid": "Alamat email tidak valid / Not a valid email address."})


_bilingual()
