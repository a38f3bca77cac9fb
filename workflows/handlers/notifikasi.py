"""``notifikasi.kirim``: tell people something from a diagram, by e-mail and in the app.

In the diagram (a service task)::

    <spiffworkflow:serviceTaskOperator id="notifikasi.kirim" resultVariable="notifikasi">
      <spiffworkflow:parameters>
        <spiffworkflow:parameter id="template" type="str" value="'registrasi_ditolak'"/>
        <spiffworkflow:parameter id="kepada" type="str" value="'pemohon, peran:verifikator'"/>
        <spiffworkflow:parameter id="alasan" type="str" value="alasan_penolakan"/>
      </spiffworkflow:parameters>
    </spiffworkflow:serviceTaskOperator>

Every further parameter (here ``alasan``) is available to the template beside the case data. Delivery
happens later, from the outbox; a bad address or a missing template is recorded for ``sekretariat`` and
never stops the case.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Instance
from engine.registry import HandlerContext, handler
from notifications import recipients, service, tasks  # noqa: F401 - tasks registers the inbox listener
from webhooks import outbox  # noqa: F401 - registers the webhook outbox listener in every process


@handler("notifikasi.kirim")
def kirim(ctx: HandlerContext, template: str, kepada, **konteks) -> dict:
    if not isinstance(template, str) or not template:
        raise ValueError("parameter \"template\" must name a notification template, e.g. 'registrasi_disetujui'")
    started_by = ctx.session.scalar(select(Instance.started_by).where(Instance.id == ctx.instance_id))
    people = recipients.resolve(ctx.session, kepada, started_by=started_by, data=ctx.data)
    context = {**ctx.data, "data": ctx.data, **konteks,
               "kasus": {"id": ctx.instance_id, "proses": ctx.process_id,
                         "tautan": service.case_link(ctx.config, ctx.instance_id)}}
    summary = service.send(ctx.session, ctx.config, template=template, recipients=people, context=context,
                           instance_id=ctx.instance_id, event_type="notification.sent")
    ctx.emit("notification.sent", template=template, **summary.as_dict())
    return {"template": template, **summary.as_dict()}
