"""An incident case of SOP (c) for the audit tests: what `layanan` records and what `admin_sistem` does."""
from __future__ import annotations

from pathlib import Path

SOPS = Path(__file__).resolve().parent.parent / "workflows" / "bpmn"
CATAT = {"saluran": "telepon", "nama_pelapor": "Pokja 3", "kontak_pelapor": "0342 801234",
         "user_id_pelapor": "pengguna", "uraian": "Halaman unggah penawaran tidak dapat diakses",
         "jenis": "gangguan", "kategori": "teknis", "sifat": "software", "urgensi": "rendah", "dampak": "sedang"}
SELESAI = {"tindakan": "Layanan aplikasi dijalankan ulang", "penyebab": "Memori server penuh",
           "waktu_mulai_gangguan": "2026-11-20T09:00:00+07:00", "waktu_pulih": "2026-11-20T10:30:00+07:00",
           "hasil": "selesai"}


def do(api, case_id, element_id, as_, data):
    """Complete the case's open task at `element_id` as `as_`, found through that role's inbox."""
    task = next(t for t in api.inbox(as_, limit=500)["items"]
                if t["instance_id"] == case_id and t["element_id"] == element_id)
    return api.complete(task["id"], data, as_=as_)
