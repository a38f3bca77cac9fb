"""Forms of SOP (e) capacity (Pasal 21) and SOP (f) archiving (Pasal 22)."""
from __future__ import annotations

from marshmallow import fields, validate

from engine.registry import form

from .base import FormSchema
from .registrasi import _t, _teks

USULAN = ("tambah_disk", "tambah_ram", "upgrade_perangkat", "atur_bandwidth", "perbaiki_koneksi", "lainnya")
MEDIA = ("hdd_eksternal", "usb", "tape", "nas", "lainnya")


@form("kapasitas.analisis")
class Analisis(FormSchema):
    """Admin sistem: what is critical, why, and the proposed replacement, addition or change."""

    analisis = _teks("Analisis", "Analysis", max=4000)
    usulan = fields.String(required=True, validate=validate.OneOf(USULAN),
                           metadata=_t("Usulan tindakan", "Proposed action", enum=list(USULAN)))
    rencana = _teks("Rencana dan perkiraan biaya/waktu", "Plan, cost and time", max=4000)


@form("kapasitas.keputusan")
class Keputusan(FormSchema):
    """Kepala LPSE: approve the capacity plan or keep monitoring."""

    disetujui = fields.Boolean(required=True, metadata=_t("Rencana disetujui?", "Plan approved?"))
    catatan_kepala = _teks("Catatan", "Note", required=False, max=2000)


@form("kapasitas.pelaksanaan")
class Pelaksanaan(FormSchema):
    """Admin sistem: the replacement or addition carried out."""

    hasil_pelaksanaan = _teks("Hasil pelaksanaan", "What was done", max=4000)
    selesai_pada = fields.DateTime(required=True, metadata=_t("Selesai pada", "Finished at"))


@form("arsip.label")
class Label(FormSchema):
    """Admin sistem: the backup copied to portable media and labelled (22(2))."""

    media = fields.String(required=True, validate=validate.OneOf(MEDIA),
                          metadata=_t("Media", "Medium", enum=list(MEDIA)))
    nomor_seri_media = _teks("Nomor seri media", "Serial number of the medium", max=100)
    label = _teks("Label", "Label", max=200)
    sha256_diperiksa = fields.Boolean(required=True, validate=validate.Equal(True, error=(
        "Periksa SHA-256 salinan di media / Check the SHA-256 of the copy on the medium")),
        metadata=_t("SHA-256 salinan di media sudah diperiksa?", "SHA-256 of the copy checked?"))


@form("arsip.serah_terima")
class SerahTerima(FormSchema):
    """Sekretariat: hand-over of the medium."""

    diserahkan_oleh = _teks("Diserahkan oleh", "Handed over by")
    diterima_oleh = _teks("Diterima oleh", "Received by")
    waktu_serah_terima = fields.DateTime(required=True, metadata=_t("Waktu serah terima", "Time of hand-over"))


@form("arsip.penyimpanan")
class Penyimpanan(FormSchema):
    """Sekretariat: where the medium is kept, away from the server room, and which one it retires."""

    lokasi_penyimpanan = _teks("Lokasi penyimpanan (terpisah dari ruang server)", "Storage place (off-site)",
                               max=300)
    media_ditarik = _teks("Media lama yang ditarik/dimusnahkan (rotasi)", "Old medium retired (rotation)",
                          required=False, max=300)
