"""Service tasks of SOP (c), error handling (Pasal 19): incident states and the two Berita Acara."""
from __future__ import annotations

from engine.registry import HandlerContext, handler

from .. import dokumen, waktu

STATUS = ("tercatat", "penanganan", "penyelesaian", "selesai")


@handler("insiden.status")
def status(ctx: HandlerContext, status: str) -> str:
    """Move the incident to ``status`` and journal it with its classification, for reports."""
    if status not in STATUS:
        raise ValueError(f"status insiden tidak dikenal / unknown incident state: {status}")
    d = ctx.data
    ctx.emit("insiden.status", status=status, jenis=d.get("jenis"), kategori=d.get("kategori"),
             sifat=d.get("sifat"), prioritas=d.get("prioritas"), saluran=d.get("saluran"))
    return status


@handler("insiden.ba_gangguan")
def ba_gangguan(ctx: HandlerContext) -> dict:
    """Berita Acara Gangguan: a fault during a tender, its start and restore time and cause."""
    d = ctx.data
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    mulai = waktu.lokal(waktu.parse(d["waktu_mulai_gangguan"], zona), zona)
    pulih = waktu.lokal(waktu.parse(d["waktu_pulih"], zona), zona)
    return dokumen.terbitkan(ctx, "BA-GGN", "ba_gangguan.html", "berita-acara-gangguan", d=d, mulai=mulai,
                             pulih=pulih, durasi_menit=round((pulih - mulai).total_seconds() / 60),
                             penandatangan=ctx.actor)


@handler("kesaksian.ba")
def ba_kesaksian(ctx: HandlerContext) -> dict:
    """Berita Acara Kesaksian: the bid file, the tools and steps, the result and the witnesses (19(2))."""
    d = ctx.data
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    pada = waktu.lokal(waktu.parse(d["waktu_pelaksanaan"], zona), zona)
    return dokumen.terbitkan(ctx, "BA-KES", "ba_kesaksian.html", "berita-acara-kesaksian", d=d, pada=pada,
                             penandatangan=ctx.actor)
