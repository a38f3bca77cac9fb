"""Official numbers for Berita Acara, letters and reports: ``001/BA-KES/LPSE/XI/2026``.

One counter row per kind of document and year. A number is taken with a single atomic upsert inside
the case's own transaction, so two cases never get the same number (the row is locked until the first
commits), and a step that fails gives its number back when it rolls back: the sequence has no gaps.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from engine.models import NomorSurat

from .waktu import lokal

ROMAWI = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# Kinds of numbered documents, with what they are.
JENIS = {
    "BA-GGN": "Berita Acara Gangguan",
    "BA-KES": "Berita Acara Kesaksian",
    "USUL-NA": "Surat usulan penonaktifan User ID kepada LKPP",
    "SRT-LKPP": "Surat penyampaian permasalahan kepada LKPP",
    "SERT": "Sertifikat pelatihan",
    "KRS": "Formulir kunjungan ruang server",
    "BA-ARS": "Berita Acara serah terima media cadangan",
    "LAP-TW": "Laporan triwulan",
}


def berikutnya(session, jenis: str, tahun: int) -> int:
    """Take the next number of ``jenis`` in ``tahun`` inside the caller's transaction."""
    if jenis not in JENIS:
        raise ValueError(f"jenis nomor tidak dikenal / unknown kind of number: {jenis}")
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(NomorSurat).values(jenis=jenis, tahun=tahun, terakhir=1)
    statement = statement.on_conflict_do_update(index_elements=["jenis", "tahun"],
                                                set_={"terakhir": NomorSurat.terakhir + 1})
    return session.execute(statement.returning(NomorSurat.terakhir)).scalar_one()


def terbitkan(session, jenis: str, pada: datetime, zona: str) -> str:
    """The official number for a document of ``jenis`` dated ``pada`` (month and year in local time)."""
    tanggal = lokal(pada, zona)
    urut = berikutnya(session, jenis, tanggal.year)
    return f"{urut:03d}/{jenis}/LPSE/{ROMAWI[tanggal.month - 1]}/{tanggal.year}"
