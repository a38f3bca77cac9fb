"""Service tasks of SOP (f), archiving (Pasal 22): the scheduled backup, and an incident when it fails."""
from __future__ import annotations

import logging
from pathlib import Path

from engine.principal import SYSTEM
from engine.registry import HandlerContext, handler
from engine.services import documents, instances

from .. import cadangan

log = logging.getLogger(__name__)


def tujuan(config: dict) -> Path:
    return Path(str(config.get("BACKUP_DIR") or Path(str(config["VAR_DIR"])) / "cadangan"))


@handler("arsip.cadangkan")
def cadangkan(ctx: HandlerContext) -> dict:
    """Back up the database and the uploaded files, then prove the archive restores. A failure is an
    outcome of the case (``berhasil`` false, with the reason), not an error of the engine."""
    try:
        hasil = cadangan.buat(str(ctx.config["DATABASE_URL"]), documents.root(ctx.config), tujuan(ctx.config),
                              ctx.now, str(ctx.config.get("BACKUP_RESTORE_URL") or ""))
    except Exception as exc:  # noqa: BLE001 - any failure opens an incident through the diagram
        log.warning("backup failed", extra={"instance_id": ctx.instance_id, "error": str(exc)})
        galat = f"{type(exc).__name__}: {exc}"
        stderr = getattr(exc, "stderr", None)
        if stderr:
            galat += " " + stderr.decode(errors="replace")[-500:]
        ctx.emit("cadangan.gagal", galat=galat)
        return {"berhasil": False, "galat": galat}
    fakta = {"berhasil": True, "arsip": hasil.arsip.name, "sha256": hasil.sha256, "ukuran": hasil.ukuran,
             "jumlah_berkas": hasil.jumlah_berkas, "baris_dipulihkan": hasil.baris}
    ctx.emit("cadangan.dibuat", **fakta)
    return fakta


@handler("insiden.buka")
def buka_insiden(ctx: HandlerContext, uraian: str, sifat: str = "software", urgensi: str = "tinggi",
                 dampak: str = "sedang") -> dict:
    """Open an error-handling case (SOP (c)) in the same transaction, pre-filled with what is known."""
    data = {"saluran": "pemantauan", "nama_pelapor": "Alur", "kontak_pelapor": "sistem", "uraian": uraian,
            "jenis": "masalah", "kategori": "teknis", "sifat": sifat, "urgensi": urgensi, "dampak": dampak,
            "kasus_asal": ctx.instance_id}
    instance_id = instances.start_in(ctx.session, "penanganan_masalah", data, SYSTEM, ctx.config).id
    ctx.emit("insiden.dibuka", kasus_insiden=instance_id, uraian=uraian)
    return {"kasus_insiden": instance_id}
