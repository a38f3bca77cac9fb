"""What the registration SOP needs to know: the documents each kind of applicant must bring, and the
fixed list of reasons a registration may be refused for (Pasal 12(2)b, 12(4), 17(1))."""
from __future__ import annotations

DOKUMEN_PENYEDIA = [
    ("ktp", "KTP direktur/pemilik/pejabat yang berwenang", "Identity card of the director or owner"),
    ("akta_pendirian", "Akta pendirian perusahaan", "Deed of establishment"),
    ("akta_perubahan", "Akta perubahan terakhir (bila ada)", "Latest deed of amendment (if any)"),
    ("dok_npwp", "NPWP badan usaha / penanggung jawab / perorangan", "Tax number (NPWP) card"),
    ("izin_usaha", "Izin usaha sesuai bidang (NIB/OSS)", "Business licence (NIB from OSS)"),
    ("surat_kuasa", "Surat kuasa (bila diwakilkan)", "Power of attorney (if represented)"),
]
DOKUMEN_NON_PENYEDIA = [
    ("surat_permohonan", "Surat permohonan dari atasan", "Request letter from the superior"),
    ("sk_penunjukan", "SK penunjukan atau surat tugas (auditor)", "Appointment decree or assignment letter"),
    ("ktp", "KTP", "Identity card"),
]

ALASAN_PENOLAKAN = {
    "daftar_hitam": ("Tercantum dalam daftar hitam", "Blacklisted"),
    "dokumen_tidak_lengkap": ("Dokumen tidak lengkap", "Incomplete documents"),
    "asli_tidak_sesuai": ("Dokumen asli berbeda dengan salinan atau data daring",
                          "Originals differ from the copies or the online data"),
    "kuasa_tidak_sah": ("Diwakilkan tanpa surat kuasa yang sah", "Representative without a valid power of attorney"),
    "nib_tidak_valid": ("NIB tidak valid", "NIB invalid"),
    "nik_tidak_sesuai": ("NIK tidak sesuai", "NIK does not match"),
    "sudah_terdaftar": ("NIB atau NPWP sudah terdaftar", "NIB or NPWP already registered"),
    "wilayah_kosong": ("Provinsi/kota tidak diisi", "Province or city missing"),
    "user_id_terpakai": ("User ID sudah dipakai", "User ID already taken"),
    "lainnya": ("Alasan lain (lihat uraian)", "Other reason (see the text)"),
}


def persyaratan(jenis: str) -> list[dict]:
    daftar = DOKUMEN_PENYEDIA if jenis == "penyedia" else DOKUMEN_NON_PENYEDIA
    return [{"kode": kode, "nama": nama, "name_en": en} for kode, nama, en in daftar]


def label_alasan(kode: str) -> str:
    indonesia, english = ALASAN_PENOLAKAN[kode]
    return f"{indonesia} / {english}"
