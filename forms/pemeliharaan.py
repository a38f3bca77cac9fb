"""Forms of SOP (d), maintenance and security of the infrastructure (Pasal 20, 21(4))."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, validate, validates_schema

from engine import clock
from engine.registry import form

from .base import FormSchema
from .fields import NIK
from .registrasi import _t, _teks

WIB = ZoneInfo("Asia/Jakarta")
IDENTITAS = ("ktp", "sim", "paspor", "kartu_pegawai")


class Perangkat(FormSchema):
    nama = _teks("Perangkat", "Device", max=200)
    nomor_seri = _teks("Nomor seri", "Serial number", max=100)


def _waktu(indonesia: str, english: str, **kwargs):
    """A date-time; without an offset it is read as WIB."""
    return fields.AwareDateTime(default_timezone=WIB, metadata=_t(indonesia, english), **({"required": True} | kwargs))


@form("ruang_server.permohonan")
class Permohonan(FormSchema):
    """Sekretariat: the visitor's request, with the identity card left at the desk and the devices brought."""

    nama_pengunjung = _teks("Nama pengunjung", "Visitor")
    jenis_identitas = fields.String(required=True, validate=validate.OneOf(IDENTITAS),
                                    metadata=_t("Jenis identitas", "ID document", enum=list(IDENTITAS)))
    nomor_identitas = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9]{4,30}$", error="Nomor identitas 4-30 huruf/angka / ID number: 4-30 letters or digits"),
        metadata=_t("Nomor identitas", "ID number", **{"x-personal": True}))
    instansi = _teks("Instansi / perusahaan", "Agency or company")
    email_pengunjung = fields.Email(load_default="", metadata=_t(
        "Email pengunjung (untuk keputusan izin)", "Visitor's e-mail (for the access decision)"))
    keperluan = _teks("Keperluan", "Purpose", max=2000)
    rencana_masuk = _waktu("Rencana masuk", "Planned entry")
    perangkat = fields.List(fields.Nested(Perangkat), load_default=list,
                            metadata=_t("Perangkat yang dibawa", "Devices brought in"))
    identitas_dititipkan = fields.Boolean(required=True, validate=validate.Equal(True, error=(
        "Identitas harus dititipkan / The ID must be left at the desk")),
        metadata=_t("Identitas dititipkan?", "ID left at the desk?"))

    @validates_schema
    def _nik(self, data: dict, **_) -> None:
        if data.get("jenis_identitas") == "ktp":
            try:
                data["nomor_identitas"] = NIK().deserialize(data["nomor_identitas"])
            except ValidationError as exc:
                raise ValidationError(exc.messages, "nomor_identitas") from None


@form("ruang_server.pemeriksaan")
class Pemeriksaan(FormSchema):
    """Security coordinator: the request and the room's condition (temperature, backup power, physical security)."""

    suhu_celsius = fields.Float(required=True, validate=validate.Range(min=0, max=60),
                                metadata=_t("Suhu ruang (°C)", "Room temperature (°C)"))
    catu_daya_cadangan_normal = fields.Boolean(required=True, metadata=_t("UPS/genset normal?", "Backup power normal?"))
    keamanan_fisik_baik = fields.Boolean(required=True, metadata=_t("Kunci, CCTV, APAR baik?",
                                                                    "Locks, CCTV, extinguisher in order?"))
    rekomendasi = fields.String(required=True, validate=validate.OneOf(("izinkan", "tolak")),
                                metadata=_t("Rekomendasi", "Recommendation", enum=["izinkan", "tolak"]))
    catatan_pemeriksaan = _teks("Catatan", "Note", required=False, max=2000)


@form("ruang_server.izin")
class Izin(FormSchema):
    """Kepala LPSE, the authorised official: permission to enter the server room (20(4))."""

    diizinkan = fields.Boolean(required=True, metadata=_t("Diizinkan?", "Permitted?"))
    alasan_izin = _teks("Alasan / syarat", "Reason or conditions", required=False, max=2000)


@form("ruang_server.kunjungan")
class Kunjungan(FormSchema):
    """Escort: times in and out, what was done, and every device taken out."""

    pendamping = _teks("Pendamping", "Escort")
    waktu_masuk = _waktu("Waktu masuk", "Entered at")
    waktu_keluar = _waktu("Waktu keluar", "Left at")
    kegiatan = _teks("Kegiatan di ruang server", "What was done", max=4000)
    perangkat_keluar = fields.List(fields.Nested(Perangkat), load_default=list,
                                   metadata=_t("Perangkat dibawa keluar", "Devices taken out"))
    identitas_dikembalikan = fields.Boolean(required=True, metadata=_t("Identitas dikembalikan?", "ID returned?"))

    @validates_schema
    def _urutan(self, data: dict, **_) -> None:
        if data.get("waktu_keluar") and data.get("waktu_masuk") and data["waktu_keluar"] < data["waktu_masuk"]:
            raise ValidationError("Waktu keluar sebelum waktu masuk / Left before entering", "waktu_keluar")


@form("umum.arsip")
class Arsip(FormSchema):
    """Sekretariat: where a paper form is filed."""

    nomor_berkas = _teks("Nomor berkas arsip", "Archive file number", max=64)
    lokasi_fisik = _teks("Lokasi fisik (lemari/rak/boks)", "Physical location", max=200)


@form("pemeliharaan.rencana")
class Rencana(FormSchema):
    """Admin sistem: planned maintenance, announced before it starts (21(4))."""

    judul = _teks("Judul", "Title")
    uraian_pemeliharaan = _teks("Uraian pekerjaan", "Work to be done", max=4000)
    perangkat_dipelihara = _teks("Server/perangkat", "Server or device", max=300)
    mulai = _waktu("Mulai", "Starts")
    selesai = _waktu("Selesai", "Ends")
    dampak_layanan = _teks("Dampak terhadap layanan SPSE", "Effect on the SPSE service", max=1000)

    @validates_schema
    def _jadwal(self, data: dict, **_) -> None:
        if data.get("mulai") and data["mulai"] <= clock.now():
            raise ValidationError("Jadwal harus di masa depan agar dapat diumumkan lebih dulu / The start must be in "
                                  "the future so it can be announced first", "mulai")
        if data.get("mulai") and data.get("selesai") and data["selesai"] <= data["mulai"]:
            raise ValidationError("Selesai harus setelah mulai / The end must follow the start", "selesai")


@form("pemeliharaan.persetujuan")
class Persetujuan(FormSchema):
    disetujui = fields.Boolean(required=True, metadata=_t("Jadwal disetujui?", "Schedule approved?"))
    catatan_kepala = _teks("Catatan", "Note", required=False, max=2000)


@form("pemeliharaan.laporan")
class Laporan(FormSchema):
    """Admin sistem: the maintenance done, documented (20(5))."""

    hasil = _teks("Hasil pemeliharaan", "Result", max=4000)
    kendala = _teks("Kendala", "Problems met", required=False, max=2000)
    selesai_pada = _waktu("Selesai pada", "Finished at")
