"""General forms any diagram may use."""
from __future__ import annotations

from marshmallow import fields, validate

from engine.formfields import DocumentRef
from engine.registry import form

from .base import FormSchema


@form("umum.keputusan")
class Keputusan(FormSchema):
    """A decision with its reason: approve or refuse, and why."""

    disetujui = fields.Boolean(required=True, metadata={"title": "Disetujui?", "x-title-en": "Approved?"})
    alasan = fields.String(load_default="", validate=validate.Length(max=2000),
                           metadata={"title": "Alasan", "x-title-en": "Reason", "x-widget": "textarea"})


@form("umum.catatan")
class Catatan(FormSchema):
    """A free-text note."""

    catatan = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                            metadata={"title": "Catatan", "x-title-en": "Note", "x-widget": "textarea"})


@form("umum.lampiran")
class Lampiran(FormSchema):
    """A document scan with a description."""

    dokumen = DocumentRef(required=True, metadata={"title": "Berkas (PDF/JPEG/PNG, maks. 5 MB)",
                                                   "x-title-en": "File (PDF/JPEG/PNG, max. 5 MB)"})
    keterangan = fields.String(load_default="", validate=validate.Length(max=500),
                               metadata={"title": "Keterangan", "x-title-en": "Description"})
