"""Public announcements (Pasal 18d, 21(4)): written to a table that the public page lists."""
from __future__ import annotations

from sqlalchemy import update

from engine.models import Pengumuman
from engine.registry import HandlerContext, handler

from .. import waktu

JENIS = ("gangguan", "pemeliharaan", "pelatihan", "informasi")


@handler("pengumuman.terbitkan")
def terbitkan(ctx: HandlerContext, jenis: str, judul: str, isi: str, berlaku_mulai=None, berlaku_sampai=None) -> dict:
    if jenis not in JENIS:
        raise ValueError(f"jenis pengumuman tidak dikenal / unknown kind of announcement: {jenis}")
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    row = Pengumuman(jenis=jenis, judul=str(judul)[:200], isi=str(isi),
                     mulai=waktu.parse(berlaku_mulai, zona) if berlaku_mulai else None,
                     sampai=waktu.parse(berlaku_sampai, zona) if berlaku_sampai else None, instance_id=ctx.instance_id,
                     diterbitkan_oleh=ctx.actor or "system", diterbitkan_pada=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    fakta = {"id": row.id, "jenis": jenis, "judul": row.judul, "diterbitkan_pada": ctx.now.isoformat(),
             "mulai": row.mulai.isoformat() if row.mulai else None}
    ctx.emit("pengumuman.diterbitkan", **fakta)
    return fakta


@handler("pengumuman.cabut")
def cabut(ctx: HandlerContext, pengumuman=None) -> dict | None:
    """Withdraw an announcement once the problem is solved or the maintenance is over (no-op for None)."""
    if not pengumuman:
        return None
    ctx.session.execute(update(Pengumuman).where(Pengumuman.id == pengumuman["id"]).values(dicabut_pada=ctx.now))
    ctx.emit("pengumuman.dicabut", id=pengumuman["id"])
    return {"id": pengumuman["id"], "dicabut_pada": ctx.now.isoformat()}
