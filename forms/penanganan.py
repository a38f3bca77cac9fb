"""Forms of SOP (c), error handling (Pasal 19): the incident record, its handling, the Berita Acara
Gangguan, confirmation with the reporter, and the kesaksian when a bid file cannot be opened."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from engine.formfields import DocumentRef
from engine.registry import form

from .base import FormSchema
from .registrasi import _t, _teks

SALURAN = ("tiket", "telepon", "kunjungan", "email", "pemantauan")
JENIS = ("gangguan", "masalah", "permintaan_layanan")
KATEGORI = ("teknis", "non_teknis")
SIFAT = ("hardware", "software", "prosedur", "lainnya")
TINGKAT = ("rendah", "sedang", "tinggi")
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="SHA-256: 64 karakter heksadesimal / 64 hexadecimal characters")


def _pilihan(indonesia: str, english: str, values: tuple[str, ...], **kwargs):
    return fields.String(validate=validate.OneOf(values), metadata=_t(indonesia, english, enum=list(values)),
                         **({"required": True} | kwargs))


@form("insiden.catat")
class CatatInsiden(FormSchema):
    """The incident record as the helpdesk takes it, from any channel."""

    saluran = _pilihan("Saluran", "Channel", SALURAN)
    nama_pelapor = _teks("Nama pelapor", "Reporter")
    kontak_pelapor = _teks("Kontak pelapor (telepon/email)", "Reporter's contact", max=200)
    user_id_pelapor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                                    metadata=_t("User ID pelapor (bila ada)", "Reporter's User ID (if any)"))
    uraian = _teks("Uraian masalah", "Description", max=4000)
    jenis = _pilihan("Jenis", "Type", JENIS)
    kategori = _pilihan("Kategori", "Category", KATEGORI)
    sifat = _pilihan("Sifat", "Kind", SIFAT)
    urgensi = _pilihan("Urgensi", "Urgency", TINGKAT)
    dampak = _pilihan("Dampak", "Impact", TINGKAT)
    saat_tender = fields.Boolean(load_default=False, metadata=_t("Terjadi saat tender berlangsung?",
                                                                 "During a running tender?"))
    kode_tender = _teks("Kode tender", "Tender code", required=False, max=64)
    nama_paket = _teks("Nama paket", "Package name", required=False, max=300)
    umumkan = fields.Boolean(load_default=False, metadata=_t("Umumkan kepada pengguna (Pasal 18d)?",
                                                             "Announce to users (Pasal 18d)?"))

    @validates_schema
    def _tender(self, data: dict, **_) -> None:
        if data.get("saat_tender") and not data.get("kode_tender"):
            raise ValidationError("Isi kode tender / Give the tender code", "kode_tender")


@form("insiden.penanganan")
class Penanganan(FormSchema):
    """Admin sistem: what was done, the cause, when it started and was restored; or forward to LKPP."""

    tindakan = _teks("Tindakan", "Action taken", max=4000)
    penyebab = _teks("Penyebab", "Cause", max=2000)
    waktu_mulai_gangguan = fields.DateTime(required=True, metadata=_t("Gangguan mulai", "Fault started"))
    waktu_pulih = fields.DateTime(load_default=None, allow_none=True, metadata=_t("Layanan pulih", "Restored at"))
    hasil = _pilihan("Hasil", "Outcome", ("selesai", "teruskan_lkpp"))
    alasan_lkpp = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(("tidak_dapat_diselesaikan", "belum_tercakup")),
                                metadata=_t("Alasan diteruskan ke LKPP (Pasal 19(3))", "Why LKPP (Pasal 19(3))",
                                            enum=["tidak_dapat_diselesaikan", "belum_tercakup"]))

    @validates_schema
    def _konsisten(self, data: dict, **_) -> None:
        if data.get("hasil") == "teruskan_lkpp" and not data.get("alasan_lkpp"):
            raise ValidationError("Pilih alasan / Choose the reason", "alasan_lkpp")
        if data.get("hasil") == "selesai" and not data.get("waktu_pulih"):
            raise ValidationError("Isi waktu layanan pulih / Give the time of restoration", "waktu_pulih")


@form("insiden.tindak_lanjut")
class TindakLanjut(FormSchema):
    """Admin sistem: the solution LKPP gave, applied."""

    tindakan_lanjut = _teks("Tindakan sesuai arahan LKPP", "Action on LKPP's advice", max=4000)
    waktu_pulih = fields.DateTime(required=True, metadata=_t("Layanan pulih", "Restored at"))


@form("insiden.persetujuan_ba")
class PersetujuanBA(FormSchema):
    """Kepala LPSE: sign the Berita Acara, or send it back for correction."""

    setuju = fields.Boolean(required=True, metadata=_t("Setujui dan tandatangani?", "Approve and sign?"))
    catatan_kepala = _teks("Catatan", "Note", required=False, max=2000)


@form("insiden.konfirmasi")
class Konfirmasi(FormSchema):
    """Helpdesk: the reporter confirms the problem is solved."""

    pelapor_puas = fields.Boolean(required=True, metadata=_t("Pelapor menyatakan selesai?",
                                                             "Reporter confirms it is solved?"))
    catatan_konfirmasi = _teks("Catatan", "Note", required=False, max=2000)


class Saksi(FormSchema):
    nama = _teks("Nama", "Name")
    jabatan = _teks("Jabatan", "Position", max=100)
    instansi = _teks("Instansi / unsur", "Agency", max=200)


@form("kesaksian.permohonan")
class PermohonanKesaksian(FormSchema):
    """Pokja: the written request for the LPSE to witness opening a bid file (Pasal 19(2))."""

    nomor_surat = _teks("Nomor surat permohonan", "Request letter number", max=100)
    surat_permohonan = DocumentRef(required=True, metadata=_t("Surat permohonan", "Request letter"))
    kode_tender = _teks("Kode tender", "Tender code", max=64)
    nama_paket = _teks("Nama paket", "Package name", max=300)
    nama_penyedia = _teks("Penyedia pemilik dokumen", "Supplier whose file it is")
    nama_file = _teks("Nama file penawaran", "Bid file name", max=255)
    ukuran_file = fields.Integer(required=True, validate=validate.Range(min=0), metadata=_t("Ukuran (byte)",
                                                                                          "Size (bytes)"))


@form("kesaksian.pelaksanaan")
class PelaksanaanKesaksian(FormSchema):
    """LPSE staff retry opening the file in front of the Pokja and record how."""

    waktu_pelaksanaan = fields.DateTime(required=True, metadata=_t("Waktu pelaksanaan", "When"))
    sha256_file = fields.String(required=True, validate=SHA256, metadata=_t("SHA-256 file", "File SHA-256"))
    alat = _teks("Perangkat lunak/alat yang digunakan", "Tools used", max=1000)
    langkah = _teks("Langkah yang dilakukan", "Steps taken", max=4000)
    hasil_kesaksian = _pilihan("Hasil", "Result", ("dapat_dibuka", "tidak_dapat_dibuka"))
    dapat_dipulihkan = fields.Boolean(load_default=False, metadata=_t("Mungkin dapat dipulihkan LKPP?",
                                                                      "May LKPP recover it?"))
    saksi = fields.List(fields.Nested(Saksi), required=True, validate=validate.Length(min=2, error=(
        "Minimal dua saksi / At least two witnesses")), metadata=_t("Saksi", "Witnesses"))
