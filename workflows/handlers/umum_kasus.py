"""Small facts about the case itself that several SOPs need."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Instance
from engine.registry import HandlerContext, handler


@handler("kasus.pemohon")
def pemohon(ctx: HandlerContext) -> str:
    """The User ID that started the case: whom to answer at the end."""
    return ctx.session.scalar(select(Instance.started_by).where(Instance.id == ctx.instance_id))
