"""Service tasks of SOP (d): the server-room visit form, numbered and filed (Pasal 20(4))."""
from __future__ import annotations

from engine.registry import HandlerContext, handler

from .. import dokumen, waktu


def _seri(items) -> set[str]:
    return {str(i.get("nomor_seri", "")).strip().upper() for i in items or []}


@handler("ruang_server.formulir")
def formulir(ctx: HandlerContext) -> dict:
    """The visit form with the devices in and out compared: anything that left but did not come in shows."""
    d = ctx.data
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    masuk, keluar = _seri(d.get("perangkat")), _seri(d.get("perangkat_keluar"))
    selisih = sorted((keluar - masuk) | (masuk - keluar))
    fakta = dokumen.terbitkan(ctx, "KRS", "formulir_ruang_server.html", "formulir-kunjungan-ruang-server", d=d,
                              masuk=waktu.lokal(waktu.parse(d["waktu_masuk"], zona), zona),
                              keluar=waktu.lokal(waktu.parse(d["waktu_keluar"], zona), zona), selisih=selisih)
    fakta["selisih_perangkat"] = selisih
    ctx.emit("ruang_server.kunjungan", pengunjung=d.get("nama_pengunjung"), instansi=d.get("instansi"),
             selisih_perangkat=selisih, nomor=fakta["nomor"])
    return fakta
