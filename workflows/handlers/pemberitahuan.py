"""Telling a person something: for now a domain event in the case's journal, which the notification
service (e-mail and in-app) will mirror; a diagram can later name ``notifikasi.kirim`` instead.
"""
from __future__ import annotations

from engine.registry import HandlerContext, handler


@handler("pemberitahuan.catat")
def catat(ctx: HandlerContext, penerima, perihal: str, pesan: str, email: str | None = None) -> dict:
    """Record that ``penerima`` (a User ID, a role id, or a list of them) is told ``pesan``."""
    kepada = [penerima] if isinstance(penerima, str) else list(penerima or [])
    if not kepada or not all(isinstance(k, str) and k for k in kepada):
        raise ValueError("penerima pemberitahuan kosong / the notice has no recipient")
    fakta = {"kepada": kepada, "perihal": str(perihal), "pesan": str(pesan)}
    if email:
        fakta["email"] = str(email)
    ctx.emit("pemberitahuan", **fakta)
    return fakta
