"""The header's navigation, per role, and the slot for the unread-notification count.

Other page modules add their entries at import time::

    from web.ui import nav
    nav.add("audit.cases", _l("Audit"), roles={"auditor", "kepala"}, order=40)

and the notifications module tells the header how to count unread messages::

    nav.set_unread_counter(lambda principal: count_unread(principal.username), "notifications.inbox")
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, request

from engine.principal import Principal
from engine.roles import ROLES


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy gettext string
    roles: frozenset[str]
    order: int = 50


_items: list[NavItem] = []
_unread: dict[str, object] = {}


def add(endpoint: str, label, roles: Iterable[str] | None = None, order: int = 50) -> None:
    """Show ``label`` linking to ``endpoint`` to callers holding one of ``roles`` (all roles when None)."""
    item = NavItem(endpoint, label, frozenset(roles) if roles else frozenset(ROLES), order)
    if all(existing.endpoint != endpoint for existing in _items):
        _items.append(item)


def items_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return sorted((i for i in _items if i.roles & principal.roles), key=lambda i: (i.order, i.endpoint))


def set_unread_counter(counter: Callable[[Principal], int], endpoint: str) -> None:
    """``counter(principal)`` is shown as a badge in the header, linking to ``endpoint``."""
    _unread["counter"], _unread["endpoint"] = counter, endpoint


def init_app(app: Flask) -> None:
    @app.context_processor
    def _header():
        if request.path.startswith("/api/") and request.path != "/api/docs":
            return {}
        from ..auth import current_principal

        try:
            principal = current_principal()
        except Exception:  # noqa: BLE001 - a stale session renders as signed out
            principal = None
        unread = None
        if principal is not None and "counter" in _unread:
            unread = {"count": _unread["counter"](principal), "endpoint": _unread["endpoint"]}
        return {"principal": principal, "nav_items": items_for(principal), "unread": unread}
