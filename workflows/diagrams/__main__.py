"""Write the first versions of the SOP diagrams: ``python -m workflows.diagrams [NAME ...]``."""
from __future__ import annotations

import sys
from pathlib import Path

from . import bersama, laporan, sop_a, sop_b, sop_c, sop_d, sop_ef
from .builder import document

OUT = Path(__file__).resolve().parent.parent / "bpmn"

FILES = {
    "eskalasi_lkpp.bpmn": ("Def_eskalasi_lkpp", [bersama.eskalasi_lkpp]),
    "sop_a_registrasi.bpmn": ("Def_sop_a_registrasi", [sop_a.registrasi]),
    "sop_a_penonaktifan.bpmn": ("Def_sop_a_penonaktifan", [sop_a.penonaktifan]),
    "sop_b_tiket_layanan.bpmn": ("Def_sop_b_tiket_layanan", [sop_b.tiket]),
    "sop_b_pelatihan.bpmn": ("Def_sop_b_pelatihan", [sop_b.pelatihan]),
    "sop_b_pendaftaran_pelatihan.bpmn": ("Def_sop_b_pendaftaran_pelatihan", [sop_b.pendaftaran_pelatihan]),
    "sop_b_pemesanan_ruang.bpmn": ("Def_sop_b_pemesanan_ruang", [sop_b.pemesanan_ruang]),
    "sop_b_masukan.bpmn": ("Def_sop_b_masukan", [sop_b.masukan]),
    "sop_b_pengumuman.bpmn": ("Def_sop_b_pengumuman", [sop_b.pengumuman]),
    "sop_c_penanganan_masalah.bpmn": ("Def_sop_c_penanganan_masalah", [sop_c.penanganan_masalah]),
    "sop_c_kesaksian.bpmn": ("Def_sop_c_kesaksian", [sop_c.kesaksian]),
    "sop_d_ruang_server.bpmn": ("Def_sop_d_ruang_server", [sop_d.akses_ruang_server]),
    "sop_d_pemeliharaan.bpmn": ("Def_sop_d_pemeliharaan", [sop_d.pemeliharaan]),
    "sop_e_kapasitas.bpmn": ("Def_sop_e_kapasitas", [sop_ef.kapasitas]),
    "sop_f_pengarsipan.bpmn": ("Def_sop_f_pengarsipan", [sop_ef.pencadangan]),
    "laporan_triwulan.bpmn": ("Def_laporan_triwulan", [laporan.triwulan]),
}


def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for filename, (definitions_id, makers) in FILES.items():
        if names and filename not in names:
            continue
        (OUT / filename).write_text(document(definitions_id, [make() for make in makers]))
        print(f"wrote {OUT / filename}")


if __name__ == "__main__":
    main(sys.argv[1:])
