"""The role ids of ``shared/domain.md``: lanes, accounts, API and UI all use exactly these."""
from __future__ import annotations

ROLES: dict[str, tuple[str, str]] = {
    "kepala": ("Kepala LPSE", "Head of the LPSE"),
    "sekretariat": ("Sekretariat", "Secretariat"),
    "admin_sistem": ("Unit Administrasi Sistem Elektronik", "Electronic systems administration"),
    "verifikator": ("Unit Registrasi dan Verifikasi", "Registration and verification"),
    "layanan": ("Unit Layanan dan Dukungan", "User service and support"),
    "penyedia": ("Penyedia Barang/Jasa", "Supplier"),
    "pengguna": ("Pengguna SPSE lainnya", "Other SPSE user"),
    "auditor": ("Auditor", "Auditor (read-only)"),
    "analis": ("Analis proses", "Process analyst"),
}

STAFF = frozenset({"kepala", "sekretariat", "admin_sistem", "verifikator", "layanan", "analis"})
EXTERNAL = frozenset({"penyedia", "pengguna"})
READ_ONLY = frozenset({"auditor"})


def is_role(name: str | None) -> bool:
    return name in ROLES
