"""Long jobs besides journal verification: a backup and the quarterly figures, started from the admin
pages (``/pekerjaan``) or ``POST /api/v1/jobs``, run by the worker, with their progress shown to whoever
started them (``engine/services/jobs.py``). Both are safe to run twice, as a job must be: a backup is a
new archive, the figures are read from the journal."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from engine import clock
from engine.services import documents
from engine.services.jobs import Progress, kind

from .. import cadangan, laporan
from .arsip import tujuan


@kind("backup.database", roles=("admin_sistem",),
      title="Cadangkan basis data dan berkas / Back up the database and the files")
def backup(progress: Progress) -> dict:
    """The archive of SOP (f), proved by restoring it; progress in its two stages."""
    config = progress.config
    progress.update(0, 2, "membuat arsip dan menguji pemulihan / writing the archive and proving it restores")
    hasil = cadangan.buat(str(config["DATABASE_URL"]), documents.root(config), tujuan(config), clock.now(),
                          str(config.get("BACKUP_RESTORE_URL") or ""))
    progress.update(1, 2, f"arsip {hasil.arsip.name} dipulihkan dengan benar / restored correctly")
    return {"arsip": hasil.arsip.name, "sha256": hasil.sha256, "ukuran": hasil.ukuran,
            "jumlah_berkas": hasil.jumlah_berkas, "baris_dipulihkan": hasil.baris}


@kind("report.quarterly", roles=("admin_sistem", "kepala"),
      title="Angka laporan triwulan / Quarterly report figures")
def quarterly(progress: Progress, tahun: int | None = None, triwulan: str | None = None) -> dict:
    """The figures of one quarter (``triwulan`` 2026-Q4), of every quarter of ``tahun``, or of the last quarter."""
    zona = str(progress.config.get("TIMEZONE", "Asia/Jakarta"))
    if triwulan:
        quarters = [laporan.Triwulan.dari_kode(str(triwulan))]
    elif tahun:
        quarters = [laporan.Triwulan(int(tahun), ke) for ke in (1, 2, 3, 4)]
    else:
        quarters = [laporan.Triwulan.sebelum(clock.now().astimezone(ZoneInfo(zona)))]
    progress.update(0, len(quarters), quarters[0].label)
    out = {}
    for done, quarter in enumerate(quarters, start=1):
        with progress.db.reader() as session:
            out[quarter.kode] = laporan.susun(session, quarter, zona)
        progress.update(done, len(quarters), quarter.label)
    return {"triwulan": out}
