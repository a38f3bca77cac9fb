"""Forms of SOP (a): the online registration of suppliers and other SPSE users, the helpdesk's
completeness check, the verification against the originals, and filing (Pasal 12, 17)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from engine.formfields import DocumentRef
from engine.registry import form
from engine.services.accounts import MIN_PASSWORD, hash_password
from workflows.registrasi import ALASAN_PENOLAKAN

from .base import FormSchema
from .fields import NIB, NIK, NIP, NPWP, Telepon


def _t(indonesia: str, english: str, **more) -> dict:
    return {"title": indonesia, "x-title-en": english, **more}


def _teks(indonesia: str, english: str, *, required: bool = True, max: int = 200, **kwargs):
    validators = [validate.Length(min=1 if required else 0, max=max,
                                  error=f"Panjang 1-{max} karakter / Length 1-{max} characters")]
    if required:
        return fields.String(required=True, validate=validators, metadata=_t(indonesia, english), **kwargs)
    return fields.String(load_default="", validate=validators, metadata=_t(indonesia, english), **kwargs)


def _dokumen(indonesia: str, english: str, required: bool = True):
    meta = _t(f"{indonesia} (PDF/JPEG/PNG, maks. 5 MB)", f"{english} (PDF/JPEG/PNG, max. 5 MB)")
    return DocumentRef(required=True, metadata=meta) if required else DocumentRef(load_default=None,
                                                                                  allow_none=True, metadata=meta)


USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{3,31}$",
                           error="User ID 4-32 huruf kecil, angka atau ._- / User ID: 4-32 lower-case letters, "
                                 "digits or ._-")
PERAN_SPSE = ("ppk", "pokja_pemilihan", "pejabat_pengadaan", "pa_kpa", "auditor", "admin_agency", "lainnya")
BENTUK_USAHA = ("pt", "cv", "firma", "koperasi", "perseorangan", "lainnya")


class _Akun(FormSchema):
    """The User ID and password the applicant chooses; the password is hashed at once (argon2id) and its
    plain text is never stored."""

    email = fields.Email(required=True, metadata=_t("Email", "Email"))
    telepon = Telepon(required=True, metadata=_t("Telepon/HP", "Phone"))
    nama_pengguna = fields.String(required=True, validate=USERNAME, metadata=_t("User ID", "User ID"))
    kata_sandi = fields.String(required=True, load_only=True,
                               validate=validate.Length(min=MIN_PASSWORD, max=256,
                                                        error=f"Kata sandi minimal {MIN_PASSWORD} karakter / "
                                                              f"Password needs at least {MIN_PASSWORD} characters"),
                               metadata=_t("Kata sandi", "Password", format="password"))

    @post_load
    def _hash(self, data: dict, **_) -> dict:
        data["kata_sandi_hash"] = hash_password(data.pop("kata_sandi"))
        return data


@form("registrasi.penyedia")
class PendaftaranPenyedia(_Akun):
    """Formulir pendaftaran dan keikutsertaan penyedia barang/jasa (Pasal 17(1)a)."""

    nama_perusahaan = _teks("Nama perusahaan / penyedia perorangan", "Company or individual supplier name")
    bentuk_usaha = fields.String(required=True, validate=validate.OneOf(BENTUK_USAHA),
                                 metadata=_t("Bentuk usaha", "Legal form", enum=list(BENTUK_USAHA)))
    nib = NIB(required=True, metadata=_t("NIB (13 digit)", "Business number NIB (13 digits)"))
    npwp = NPWP(required=True, metadata=_t("NPWP", "Tax number NPWP"))
    nama_penanggung_jawab = _teks("Nama direktur/pemilik/pejabat berwenang", "Director or owner")
    jabatan = _teks("Jabatan", "Position", max=100)
    nik = NIK(required=True, metadata=_t("NIK penanggung jawab", "NIK of the person responsible"))
    alamat = _teks("Alamat", "Address", max=500)
    provinsi = _teks("Provinsi", "Province", max=100)
    kota = _teks("Kabupaten/kota", "Regency or city", max=100)
    diwakilkan = fields.Boolean(load_default=False, metadata=_t("Pendaftaran diwakilkan (dengan surat kuasa)?",
                                                                "Registered by a representative?"))
    ktp = _dokumen("Salinan KTP", "Copy of identity card")
    akta_pendirian = _dokumen("Salinan akta pendirian", "Copy of the deed of establishment")
    akta_perubahan = _dokumen("Salinan akta perubahan terakhir", "Copy of the latest amendment", required=False)
    dok_npwp = _dokumen("Salinan NPWP", "Copy of the NPWP card")
    izin_usaha = _dokumen("Salinan izin usaha / NIB", "Copy of the business licence")
    surat_kuasa = _dokumen("Surat kuasa", "Power of attorney", required=False)

    @validates_schema
    def _kuasa(self, data: dict, **_) -> None:
        if data.get("diwakilkan") and not data.get("surat_kuasa"):
            raise ValidationError("Lampirkan surat kuasa / Attach the power of attorney", "surat_kuasa")


@form("registrasi.non_penyedia")
class PendaftaranNonPenyedia(_Akun):
    """Pendaftaran pengguna SPSE selain penyedia: Pokja, Pejabat Pengadaan, PPK, PA/KPA, auditor (Pasal 17(1)b)."""

    nama_lengkap = _teks("Nama lengkap", "Full name")
    nip = NIP(load_default=None, allow_none=True, metadata=_t("NIP (bila ASN)", "Civil servant number (NIP)"))
    nik = NIK(required=True, metadata=_t("NIK", "NIK"))
    instansi = _teks("Instansi", "Agency")
    unit_kerja = _teks("Unit kerja / SKPD", "Work unit", required=False)
    jabatan = _teks("Jabatan", "Position", max=100)
    peran_spse = fields.String(required=True, validate=validate.OneOf(PERAN_SPSE),
                               metadata=_t("Peran di SPSE", "Role in SPSE", enum=list(PERAN_SPSE)))
    surat_permohonan = _dokumen("Surat permohonan dari atasan", "Request letter from the superior")
    sk_penunjukan = _dokumen("SK penunjukan / surat tugas", "Appointment decree / assignment letter")
    ktp = _dokumen("Salinan KTP", "Copy of identity card")


class _Keputusan(FormSchema):
    alasan_kode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(ALASAN_PENOLAKAN)),
                                metadata=_t("Alasan penolakan", "Reason for refusal", enum=list(ALASAN_PENOLAKAN)))
    alasan = _teks("Uraian alasan", "Reason in words", required=False, max=2000)
    catatan = _teks("Catatan", "Note", required=False, max=2000)

    def _alasan_wajib(self, data: dict, menolak: bool) -> None:
        if menolak and not data.get("alasan_kode"):
            raise ValidationError("Pilih alasan penolakan / Choose the reason for refusal", "alasan_kode")
        if menolak and data.get("alasan_kode") == "lainnya" and not data.get("alasan"):
            raise ValidationError("Uraikan alasannya / Describe the reason", "alasan")


@form("registrasi.kelengkapan")
class PemeriksaanKelengkapan(_Keputusan):
    """Helpdesk: national blacklist checked, every required copy present."""

    daftar_hitam_nasional = fields.String(required=True, validate=validate.OneOf(("tidak_tercantum", "tercantum")),
                                          metadata=_t("Hasil cek daftar hitam nasional", "National blacklist check"))
    dokumen_lengkap = fields.Boolean(required=True, metadata=_t("Dokumen lengkap?", "Documents complete?"))
    keputusan = fields.String(required=True, validate=validate.OneOf(("lanjut", "tolak")),
                              metadata=_t("Keputusan", "Decision", enum=["lanjut", "tolak"]))

    @validates_schema
    def _konsisten(self, data: dict, **_) -> None:
        lolos = data.get("daftar_hitam_nasional") == "tidak_tercantum" and data.get("dokumen_lengkap")
        if data.get("keputusan") == "lanjut" and not lolos:
            raise ValidationError("Tidak dapat dilanjutkan: tercantum di daftar hitam atau dokumen belum lengkap / "
                                  "Cannot continue: blacklisted or documents incomplete", "keputusan")
        self._alasan_wajib(data, data.get("keputusan") == "tolak")


@form("registrasi.verifikasi")
class Verifikasi(_Keputusan):
    """Verifikator: originals compared with the copies and the online data; identity authenticated (17(2))."""

    asli_sesuai_salinan = fields.Boolean(required=True, metadata=_t("Dokumen asli sesuai salinan?",
                                                                     "Originals match the copies?"))
    data_daring_sesuai = fields.Boolean(required=True, metadata=_t("Data daring sesuai dokumen?",
                                                                    "Online data match the documents?"))
    identitas_terautentikasi = fields.Boolean(required=True, metadata=_t("Identitas penanggung jawab terautentikasi?",
                                                                          "Identity of the person responsible "
                                                                          "authenticated?"))
    keputusan = fields.String(required=True, validate=validate.OneOf(("setuju", "tolak")),
                              metadata=_t("Keputusan", "Decision", enum=["setuju", "tolak"]))

    @validates_schema
    def _konsisten(self, data: dict, **_) -> None:
        cocok = all(data.get(k) for k in ("asli_sesuai_salinan", "data_daring_sesuai", "identitas_terautentikasi"))
        if data.get("keputusan") == "setuju" and not cocok:
            raise ValidationError("Setiap ketidaksesuaian adalah penolakan / Any mismatch is a refusal", "keputusan")
        self._alasan_wajib(data, data.get("keputusan") == "tolak")


@form("registrasi.arahan")
class ArahanKepala(FormSchema):
    """Kepala LPSE: what to do about a verification that waited more than one working day."""

    tindakan = fields.String(required=True, validate=validate.OneOf(("ingatkan", "alihkan", "lainnya")),
                             metadata=_t("Tindakan", "Action", enum=["ingatkan", "alihkan", "lainnya"]))
    arahan = _teks("Arahan", "Instruction", max=2000)


@form("registrasi.arsip")
class Arsip(FormSchema):
    """Sekretariat: where the signed forms and copies are filed (12(2)d)."""

    nomor_berkas = _teks("Nomor berkas arsip", "Archive file number", max=64)
    lokasi_fisik = _teks("Lokasi fisik (lemari/rak/boks)", "Physical location (cabinet/shelf/box)", max=200)
    catatan = _teks("Catatan", "Note", required=False, max=1000)
