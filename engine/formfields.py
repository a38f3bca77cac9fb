"""Field types forms share with the engine: a reference to an uploaded document."""
from __future__ import annotations

from marshmallow import fields, validate

DOCUMENT_FORMAT = "x-document"


class DocumentRef(fields.String):
    """The id of a document uploaded with ``POST /api/v1/documents``; linked to the case on completion,
    and its SHA-256 written into the journal."""

    def __init__(self, **kwargs):
        metadata = {"format": DOCUMENT_FORMAT, **kwargs.pop("metadata", {})}
        kwargs.setdefault("validate", validate.Regexp(r"^[0-9a-f]{32}$", error="Dokumen tidak dikenal / Unknown document"))
        super().__init__(metadata=metadata, **kwargs)
