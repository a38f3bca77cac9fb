"""Forms of SOP (b), user service (Pasal 13, 15(1), 18): tickets, training, the bidding room, feedback
and announcements."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from engine.registry import form

from .base import FormSchema
from .fields import Telepon
from .pemeliharaan import Perangkat, _waktu
from .registrasi import _t, _teks

SALURAN = ("web", "telepon", "kunjungan", "email")
JENIS_TIKET = ("konsultasi", "informasi_fitur", "keluhan", "dukungan_rup")
JAM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Jam HH:MM / Time as HH:MM")


def _pilih(indonesia: str, english: str, values: tuple[str, ...], **kwargs):
    return fields.String(validate=validate.OneOf(values), metadata=_t(indonesia, english, enum=list(values)),
                         **({"required": True} | kwargs))


@form("layanan.tiket")
class Tiket(FormSchema):
    """A consultation, a question about SPSE features, a complaint about the service, or help publishing the
    RUP/announcements, from any channel (Pasal 13(2), 15(1)a, 18c)."""

    saluran = _pilih("Saluran", "Channel", SALURAN)
    nama = _teks("Nama", "Name")
    kontak = _teks("Telepon/email", "Phone or email", max=200)
    jenis = _pilih("Jenis layanan", "Kind of request", JENIS_TIKET)
    uraian = _teks("Uraian", "Description", max=4000)
    prioritas = _pilih("Prioritas", "Priority", ("rendah", "sedang", "tinggi"), load_default="sedang",
                       required=False)


@form("layanan.penanganan_tiket")
class PenangananTiket(FormSchema):
    """Helpdesk: the answer, or escalation to the administrator or the verification unit."""

    jawaban = _teks("Jawaban / tindakan", "Answer or action", max=4000)
    hasil = _pilih("Hasil", "Outcome", ("selesai", "eskalasi_admin", "eskalasi_verifikator"))


@form("layanan.eskalasi")
class Eskalasi(FormSchema):
    """Second line: solved here, or forwarded to LKPP (Pasal 19(3))."""

    jawaban = _teks("Jawaban / tindakan", "Answer or action", max=4000)
    hasil = _pilih("Hasil", "Outcome", ("selesai", "teruskan_lkpp"))


@form("layanan.konfirmasi")
class KonfirmasiTiket(FormSchema):
    """The requester: solved or not, and a rating that feeds the service's improvement (15(1)d)."""

    puas = fields.Boolean(required=True, metadata=_t("Permintaan terjawab?", "Request answered?"))
    nilai = fields.Integer(required=True, validate=validate.Range(min=1, max=5, error="Nilai 1-5 / Rating 1-5"),
                           metadata=_t("Penilaian layanan (1-5)", "Rating (1-5)"))
    saran = _teks("Saran", "Suggestion", required=False, max=2000)


@form("layanan.masukan")
class Masukan(FormSchema):
    """Feedback to improve the LPSE's service (Pasal 15(1)d)."""

    nilai = fields.Integer(required=True, validate=validate.Range(min=1, max=5, error="Nilai 1-5 / Rating 1-5"),
                           metadata=_t("Penilaian (1-5)", "Rating (1-5)"))
    aspek = _pilih("Aspek", "About", ("registrasi", "helpdesk", "pelatihan", "ruang_layanan", "sistem", "lainnya"))
    saran = _teks("Masukan", "Feedback", max=4000)


@form("layanan.tindak_lanjut_masukan")
class TindakLanjutMasukan(FormSchema):
    tindak_lanjut = _teks("Tindak lanjut", "Follow-up", max=4000)


@form("pengumuman.susun")
class SusunPengumuman(FormSchema):
    """A public announcement of a technical problem or other information (Pasal 18d)."""

    jenis_pengumuman = _pilih("Jenis", "Kind", ("gangguan", "informasi"))
    judul = _teks("Judul", "Title")
    isi = _teks("Isi", "Text", max=8000)
    berlaku_sampai = _waktu("Berlaku sampai", "Valid until", required=False, load_default=None, allow_none=True)


@form("pengumuman.persetujuan")
class PersetujuanPengumuman(FormSchema):
    disetujui = fields.Boolean(required=True, metadata=_t("Terbitkan?", "Publish?"))
    catatan_kepala = _teks("Catatan", "Note", required=False, max=2000)


@form("pelatihan.jadwal")
class JadwalPelatihan(FormSchema):
    """A training session in using SPSE (Pasal 13(2)d) in the training room (18a)."""

    judul = _teks("Judul pelatihan", "Title")
    sasaran = _pilih("Peserta", "For", ("penyedia", "pengguna", "umum"))
    tanggal = fields.Date(required=True, metadata=_t("Tanggal", "Date"))
    jam_mulai = fields.String(required=True, validate=JAM, metadata=_t("Jam mulai", "Starts at"))
    tempat = _teks("Tempat", "Place", max=200)
    kuota = fields.Integer(required=True, validate=validate.Range(min=1, max=500), metadata=_t("Kuota", "Seats"))
    batas_pendaftaran = _waktu("Batas pendaftaran", "Registration closes")
    pengajar = _teks("Pengajar", "Trainer")


@form("pelatihan.pendaftaran")
class PendaftaranPelatihan(FormSchema):
    pelatihan_id = fields.Integer(required=True, metadata=_t("Pelatihan", "Training"))
    nama = _teks("Nama", "Name")
    email = fields.Email(required=True, metadata=_t("Email", "Email"))
    instansi = _teks("Instansi / perusahaan", "Agency or company")
    telepon = Telepon(required=True, metadata=_t("Telepon", "Phone"))


@form("pelatihan.kehadiran")
class Kehadiran(FormSchema):
    hadir = fields.List(fields.Integer(), required=True, metadata=_t("Peserta yang hadir", "Participants present"))


@form("ruang.pemesanan")
class Pemesanan(FormSchema):
    """Booking the bidding room (Pasal 18a): date, time in and out, purpose, device serial numbers."""

    tanggal = fields.Date(required=True, metadata=_t("Tanggal", "Date"))
    jam_mulai = fields.String(required=True, validate=JAM, metadata=_t("Jam mulai", "From"))
    jam_selesai = fields.String(required=True, validate=JAM, metadata=_t("Jam selesai", "Until"))
    keperluan = _teks("Keperluan", "Purpose", max=1000)
    kode_tender = _teks("Kode tender", "Tender code", required=False, max=64)
    perangkat = fields.List(fields.Nested(Perangkat), load_default=list,
                            metadata=_t("Perangkat (nomor seri)", "Devices (serial numbers)"))

    @validates_schema
    def _jam(self, data: dict, **_) -> None:
        if data.get("jam_mulai") and data.get("jam_selesai") and data["jam_selesai"] <= data["jam_mulai"]:
            raise ValidationError("Jam selesai harus setelah jam mulai / The end must follow the start",
                                  "jam_selesai")


@form("ruang.persetujuan")
class PersetujuanRuang(FormSchema):
    disetujui = fields.Boolean(required=True, metadata=_t("Disetujui?", "Approved?"))
    catatan = _teks("Catatan", "Note", required=False, max=1000)


@form("ruang.penggunaan")
class Penggunaan(FormSchema):
    """Helpdesk: the use of the room as it happened."""

    jam_masuk = fields.String(required=True, validate=JAM, metadata=_t("Jam masuk", "In"))
    jam_keluar = fields.String(required=True, validate=JAM, metadata=_t("Jam keluar", "Out"))
    perangkat_digunakan = fields.List(fields.Nested(Perangkat), load_default=list,
                                      metadata=_t("Perangkat digunakan", "Devices used"))
    catatan_penggunaan = _teks("Catatan", "Note", required=False, max=1000)


@form("laporan.narasi")
class NarasiLaporan(FormSchema):
    """Sekretariat: the problems met and the recommendations, beside the figures."""

    permasalahan = _teks("Permasalahan", "Problems", max=8000)
    rekomendasi = _teks("Rekomendasi", "Recommendations", max=8000)


@form("laporan.persetujuan")
class PersetujuanLaporan(FormSchema):
    """Kepala LPSE: sign the report, or send it back."""

    setuju = fields.Boolean(required=True, metadata=_t("Setujui dan tandatangani?", "Approve and sign?"))
    catatan_kepala = _teks("Catatan", "Note", required=False, max=2000)


@form("laporan.pengiriman")
class Pengiriman(FormSchema):
    """Sekretariat: the covering letter to the Walikota through the Sekretaris Daerah."""

    nomor_surat_pengantar = _teks("Nomor surat pengantar", "Covering letter number", max=100)
    tanggal_kirim = fields.Date(required=True, metadata=_t("Tanggal dikirim", "Sent on"))
