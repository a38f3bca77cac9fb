"""Service tasks of the quarterly report (Pasal 23(2), 15(1)c)."""
from __future__ import annotations

from datetime import datetime

from engine.registry import HandlerContext, handler

from .. import dokumen, laporan


@handler("laporan.susun")
def susun(ctx: HandlerContext) -> dict:
    """Compile the quarter named in ``triwulan`` (2026-Q4), or the one before ``scheduled_for`` or now."""
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    if ctx.data.get("triwulan"):
        triwulan = laporan.Triwulan.dari_kode(str(ctx.data["triwulan"]))
    else:
        pada = datetime.fromisoformat(ctx.data["scheduled_for"]) if ctx.data.get("scheduled_for") else ctx.now
        triwulan = laporan.Triwulan.sebelum(pada.astimezone(laporan.ZoneInfo(zona)))
    return laporan.susun(ctx.session, triwulan, zona)


@handler("laporan.cetak")
def cetak(ctx: HandlerContext) -> dict:
    """The signed report as a printable PDF with charts, numbered and stored with the case."""
    d = ctx.data
    isi = d["laporan"]
    grafik = [
        laporan.grafik("Registrasi pengguna", {k: isi["registrasi"][k] for k in ("baru", "disetujui", "ditolak",
                                                                                  "dinonaktifkan")}),
        laporan.grafik("Tiket per jenis", isi["tiket"]["per_jenis"]),
        laporan.grafik("Insiden per prioritas", isi["insiden"]["per_prioritas"]),
        laporan.grafik("Cadangan", {k: isi["cadangan"][k] for k in ("berhasil", "gagal", "diharapkan")}),
    ]
    return dokumen.terbitkan(ctx, "LAP-TW", "laporan_triwulan.html", f"laporan-{isi['triwulan']}", r=isi,
                             grafik=grafik, permasalahan=d.get("permasalahan", ""),
                             rekomendasi=d.get("rekomendasi", ""), penandatangan=ctx.actor)
