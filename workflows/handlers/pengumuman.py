"""Public announcements (Pasal 18d, 21(4)), published into the announcements the public page lists."""
from __future__ import annotations

from sqlalchemy import or_, update

from engine.models import Announcement
from engine.registry import HandlerContext, handler
from engine.services import announcements

from .. import waktu

JENIS = {"gangguan": "Gangguan", "pemeliharaan": "Pemeliharaan", "pelatihan": "Pelatihan", "informasi": "Informasi"}


@handler("pengumuman.terbitkan")
def terbitkan(ctx: HandlerContext, jenis: str, judul: str, isi: str, berlaku_mulai=None,
              berlaku_sampai=None) -> dict:
    """Publish now; it shows until ``berlaku_sampai`` or until withdrawn. ``berlaku_mulai`` (when the
    announced event begins) goes into the text: a maintenance notice must show *before* the work starts.
    The result also carries both moments as a letter writes them (``mulai_teks``, ``sampai_teks``), for
    the notices that follow the announcement."""
    if jenis not in JENIS:
        raise ValueError(f"jenis pengumuman tidak dikenal / unknown kind of announcement: {jenis}")
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    sampai = waktu.parse(berlaku_sampai, zona) if berlaku_sampai else None
    mulai_teks = _teks(berlaku_mulai, zona)
    if mulai_teks:
        isi = f"{isi}\nMulai {mulai_teks}."
    view = announcements.publish(ctx.session, str(judul)[:200], str(isi), ctx.now, sampai, ctx.actor or "system",
                                 instance_id=ctx.instance_id)
    fakta = {"id": view.id, "jenis": jenis, "judul": view.title, "diterbitkan_pada": ctx.now.isoformat(),
             "berlaku_mulai": berlaku_mulai, "berlaku_sampai": sampai.isoformat() if sampai else None}
    ctx.emit("pengumuman.diterbitkan", **fakta)
    return {**fakta, "mulai_teks": mulai_teks, "sampai_teks": _teks(berlaku_sampai, zona)}


def _teks(moment, zona: str) -> str | None:
    """``28 November 2026 pukul 22.00 WIB``."""
    if not moment:
        return None
    local = waktu.lokal(waktu.parse(moment, zona), zona)
    return f"{waktu.tanggal_panjang(local)} pukul {local:%H.%M} WIB"


@handler("pengumuman.cabut")
def cabut(ctx: HandlerContext, pengumuman=None) -> dict | None:
    """Withdraw an announcement once the problem is solved or the maintenance is over (no-op for None)."""
    if not pengumuman:
        return None
    ctx.session.execute(update(Announcement).where(
        Announcement.id == pengumuman["id"], or_(Announcement.ends_at.is_(None), Announcement.ends_at > ctx.now))
        .values(ends_at=ctx.now))
    ctx.emit("pengumuman.dicabut", id=pengumuman["id"])
    return {"id": pengumuman["id"], "dicabut_pada": ctx.now.isoformat()}
