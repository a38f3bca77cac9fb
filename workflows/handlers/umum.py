"""General-purpose handlers any diagram may use."""
from __future__ import annotations

from engine.registry import HandlerContext, handler


@handler("umum.catat")
def catat(ctx: HandlerContext, **values) -> dict:
    """Record the given values in the case's journal (a no-op besides the record); returns them."""
    ctx.emit("catatan", **values)
    return values
