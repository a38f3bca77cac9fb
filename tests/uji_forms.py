"""Forms the UI tests' diagrams name (tests/bpmn/registrasi_uji.bpmn); registered when conftest imports this."""
from __future__ import annotations

from marshmallow import fields, validate

from engine.formfields import DocumentRef
from engine.registry import form
from forms.base import FormSchema


@form("uji.pendaftaran")
class PendaftaranUji(FormSchema):
    """Registration form of the test diagram: company, NPWP and two document scans."""

    nama_perusahaan = fields.String(required=True, validate=validate.Length(min=2, max=200), metadata={
        "title": "Nama perusahaan", "x-title-en": "Company name"})
    npwp = fields.String(required=True, validate=validate.Regexp(r"^\d{15,16}$", error=(
        "NPWP 15 atau 16 angka / NPWP has 15 or 16 digits")), metadata={"title": "NPWP", "x-title-en": "Tax number (NPWP)"})
    bentuk_usaha = fields.String(required=True, validate=validate.OneOf(["CV", "PT", "Perorangan"]), metadata={
        "title": "Bentuk usaha", "x-title-en": "Business form"})
    ktp = DocumentRef(required=True, metadata={"title": "Pindaian KTP", "x-title-en": "Identity card (KTP) scan"})
    akta = DocumentRef(required=True, metadata={"title": "Pindaian akta pendirian",
                                                 "x-title-en": "Deed of establishment scan"})
    catatan = fields.String(load_default="", validate=validate.Length(max=500), metadata={
        "title": "Catatan", "x-title-en": "Note", "x-widget": "textarea"})
