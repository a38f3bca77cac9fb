"""The quarterly report to the Walikota through the Sekretaris Daerah (Pasal 23(2), 15(1)c)."""
from __future__ import annotations

from .builder import Process


def triwulan() -> Process:
    p = Process("laporan_triwulan", "Laporan triwulan kepada Walikota melalui Sekretaris Daerah",
                ["sekretariat", "kepala"], starter_roles="sekretariat,kepala",
                documentation="Setiap awal triwulan: angka triwulan sebelumnya disusun dari jurnal, sekretariat "
                              "melengkapi permasalahan dan rekomendasi, Kepala meninjau dan menandatangani, PDF "
                              "bernomor dengan grafik disimpan dan dikirim.")
    p.start("mulai", "Awal triwulan", "sekretariat", cycle="R/2026-01-01T08:00:00+07:00/P3M")
    p.service("susun", "Susun angka dari jurnal", "sekretariat", "laporan.susun", "laporan", pasal="15(1)c,23(2)")
    p.user("lengkapi", "Lengkapi permasalahan dan rekomendasi", "sekretariat", "laporan.narasi", "23(2)", due="P5D")
    p.user("tinjau", "Tinjau dan tandatangani laporan", "kepala", "laporan.persetujuan", "23(2)", due="P3D")
    p.xor("disetujui_q", "Disetujui?", "kepala")
    p.service("cetak", "Terbitkan laporan (PDF bernomor)", "kepala", "laporan.cetak", "dokumen_laporan",
              pasal="23(2),15(1)c")
    p.user("kirim", "Kirim kepada Walikota melalui Sekretaris Daerah", "sekretariat", "laporan.pengiriman", "23(2)",
           due="P2D")
    p.end("selesai", "Laporan terkirim", "sekretariat")
    p.chain("mulai", "susun", "lengkapi", "tinjau", "disetujui_q")
    p.flow("disetujui_q", "cetak", "setuju == True", "ya")
    p.flow("disetujui_q", "lengkapi", name="perbaiki", default=True)
    p.chain("cetak", "kirim", "selesai")
    return p
