"""Forms of the deactivation procedure (Pasal 12(5))."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from engine.formfields import DocumentRef
from engine.registry import form

from .base import FormSchema
from .registrasi import _t, _teks

JENIS = ("pelanggaran", "daftar_hitam")


@form("penonaktifan.pengaduan")
class Pengaduan(FormSchema):
    """A complaint about a violation of the terms of use, or a blacklist request from PA/KPA/PPK/ULP."""

    jenis = fields.String(required=True, validate=validate.OneOf(JENIS),
                          metadata=_t("Jenis", "Kind", enum=list(JENIS)))
    user_id_terlapor = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                     metadata=_t("User ID terlapor", "Reported User ID"))
    nama_penyedia = _teks("Nama penyedia", "Supplier name")
    uraian = _teks("Uraian pelanggaran", "What happened", max=4000)
    dasar = _teks("Dasar (nomor dan tanggal SK penetapan sanksi daftar hitam)", "Decision that blacklists the supplier",
                  required=False, max=500)
    bukti = fields.List(DocumentRef(), required=True, validate=validate.Length(min=1, error="Lampirkan bukti / "
                                                                                        "Attach the evidence"),
                        metadata=_t("Bukti (PDF/JPEG/PNG)", "Evidence (PDF/JPEG/PNG)"))

    @validates_schema
    def _dasar(self, data: dict, **_) -> None:
        if data.get("jenis") == "daftar_hitam" and not data.get("dasar"):
            raise ValidationError("Sebutkan SK penetapan daftar hitam / Name the blacklisting decision", "dasar")


@form("penonaktifan.telaah")
class Telaah(FormSchema):
    """Kepala LPSE: is the complaint grounded enough to clarify with the supplier?"""

    keputusan_telaah = fields.String(required=True, validate=validate.OneOf(("klarifikasi", "tidak_berdasar")),
                                     metadata=_t("Keputusan", "Decision", enum=["klarifikasi", "tidak_berdasar"]))
    catatan_telaah = _teks("Catatan", "Note", required=False, max=2000)


@form("penonaktifan.klarifikasi")
class Klarifikasi(FormSchema):
    """Verifikator: the supplier's side of the story."""

    tanggal_klarifikasi = fields.Date(required=True, metadata=_t("Tanggal klarifikasi", "Date of clarification"))
    cara = fields.String(required=True, validate=validate.OneOf(("undangan", "surat", "email", "telepon")),
                         metadata=_t("Cara", "How", enum=["undangan", "surat", "email", "telepon"]))
    tanggapan_penyedia = _teks("Tanggapan penyedia", "The supplier's answer", max=4000)
    hasil_klarifikasi = _teks("Kesimpulan klarifikasi", "Conclusion", max=4000)
    berita_acara_klarifikasi = DocumentRef(load_default=None, allow_none=True,
                                           metadata=_t("Berita acara klarifikasi", "Minutes of the clarification"))


@form("penonaktifan.keputusan")
class Keputusan(FormSchema):
    """Kepala LPSE: propose deactivation to LKPP, or answer that the complaint does not hold."""

    keputusan = fields.String(required=True, validate=validate.OneOf(("usulkan", "tidak_terbukti")),
                              metadata=_t("Keputusan", "Decision", enum=["usulkan", "tidak_terbukti"]))
    pertimbangan = _teks("Pertimbangan", "Grounds", max=4000)
