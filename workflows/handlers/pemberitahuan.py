"""Telling a person something from an SOP: a domain event in the case's journal (``pemberitahuan``, which
the quarterly report and the auditors read) and the notice itself, in the app and by e-mail, through the
notification service and its outbox (``notifications/service.py``): the same path as ``notifikasi.kirim``.

The notice is rendered with the template ``pemberitahuan`` (``workflows/notifications/pemberitahuan.toml``,
editable in the app without code), or with the one the diagram names in ``template`` (e.g.
``akses_diputuskan``); every further parameter of the service task (e.g. ``alasan``) is given to the template
beside the case data. ``termasuk_nonaktif`` reaches a named account even when it is deactivated (to tell its
holder of the deactivation). A recipient that cannot be reached is recorded for ``sekretariat`` and never
stops the case.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Instance
from engine.registry import HandlerContext, handler
from engine.roles import ROLES
from notifications import incidents as _incidents  # noqa: F401 - tells admin_sistem of open incidents
from notifications import recipients, service

TEMPLATE = "pemberitahuan"
_EMAIL_FIELD = "_alamat_pemberitahuan"  # the diagram's ``email`` parameter, looked up like a case field


@handler("pemberitahuan.catat")
def catat(ctx: HandlerContext, penerima, perihal: str, pesan: str, email: str | None = None,
          template: str | None = None, termasuk_nonaktif: bool = False, **konteks) -> dict:
    """Record that ``penerima`` (a User ID, a role id, or a list of them) is told ``pesan``, and tell them."""
    kepada = [penerima] if isinstance(penerima, str) else list(penerima or [])
    if not kepada or not all(isinstance(k, str) and k for k in kepada):
        raise ValueError("penerima pemberitahuan kosong / the notice has no recipient")
    fakta = {"kepada": kepada, "perihal": str(perihal), "pesan": str(pesan)}
    if email:
        fakta["email"] = str(email)
    ctx.emit("pemberitahuan", **fakta)
    _send(ctx, kepada, fakta, template or TEMPLATE, konteks, bool(termasuk_nonaktif))
    return fakta


def _send(ctx: HandlerContext, kepada: list[str], fakta: dict, template: str, konteks: dict,
          include_inactive: bool) -> None:
    specs = [f"peran:{k}" if k in ROLES else f"pengguna:{k}" for k in dict.fromkeys(kepada)]
    if fakta.get("email"):
        specs.append(f"data:{_EMAIL_FIELD}")
    started_by = ctx.session.scalar(select(Instance.started_by).where(Instance.id == ctx.instance_id))
    people = recipients.resolve(ctx.session, specs, started_by=started_by,
                                data={**ctx.data, _EMAIL_FIELD: fakta.get("email")}, include_inactive=include_inactive)
    context = {**ctx.data, "data": ctx.data, **konteks, "perihal": fakta["perihal"], "pesan": fakta["pesan"],
               "kasus": {"id": ctx.instance_id, "proses": ctx.process_id,
                         "tautan": service.case_link(ctx.config, ctx.instance_id)}}
    service.send(ctx.session, ctx.config, template=template, recipients=people, context=context,
                 instance_id=ctx.instance_id, event_type="notification.sent")

