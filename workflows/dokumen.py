"""Documents a case produces (Berita Acara, letters, certificates, reports): HTML templates in
``workflows/templates`` rendered to PDF by WeasyPrint, stored beside the uploads and linked to the case.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.registry import HandlerContext
from engine.services import documents

from . import nomor, waktu

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined)
    env.filters["tanggal"] = waktu.tanggal_panjang
    return env


def html(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def pdf(template: str, **context) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(template, **context), base_url=str(TEMPLATES)).write_pdf()


def kop(ctx: HandlerContext) -> dict:
    """What every letterhead and signature block needs: the office, its city, today's local date."""
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    return {"instansi": ctx.config.get("LPSE_INSTANSI", "Pemerintah Kota Blitar"),
            "kota": ctx.config.get("LPSE_KOTA", "Blitar"), "hari_ini": waktu.lokal(ctx.now, zona),
            "kasus": ctx.instance_id}


def terbitkan(ctx: HandlerContext, jenis_nomor: str | None, template: str, nama_berkas: str, **context) -> dict:
    """Number (when ``jenis_nomor`` is given), render and store a PDF with the case; journal its SHA-256."""
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    nomor_resmi = nomor.terbitkan(ctx.session, jenis_nomor, ctx.now, zona) if jenis_nomor else None
    data = pdf(template, nomor=nomor_resmi, **kop(ctx), **context)
    if nomor_resmi:
        nama_berkas = f"{nama_berkas}-{nomor_resmi.split('/')[0]}-{nomor_resmi.split('/')[-1]}"
    view = documents.add_generated(ctx.session, ctx.config, ctx.instance_id, f"{nama_berkas}.pdf", data,
                                   "application/pdf", ctx.actor or "system")
    fakta = {"dokumen_id": view.id, "nama_berkas": view.filename, "sha256": view.sha256, "ukuran": view.size,
             "jenis": jenis_nomor or template.removesuffix(".html"), "nomor": nomor_resmi}
    ctx.emit("dokumen.diterbitkan", **fakta)
    return fakta
