"""Named service-task handlers and user-task forms, registered by ``workflows/`` and ``forms/``.

A diagram names a handler (``spiffworkflow:serviceTaskOperator id="..."``) or a form (extension property
``form``); deploying a diagram that names an unregistered one is refused, so a typo never reaches a case.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class HandlerContext:
    """What a handler may use: the open transaction, the case, and who is acting."""

    session: Any
    instance_id: int
    process_id: str
    element_id: str
    actor: str | None
    role: str | None
    now: datetime
    data: dict
    config: dict = field(default_factory=dict)
    # Extra journal events the handler wants recorded (type, payload), e.g. "account.created".
    events: list[tuple[str, dict]] = field(default_factory=list)

    def emit(self, event_type: str, **payload) -> None:
        self.events.append((event_type, payload))


Handler = Callable[..., Any]


class FormSchema(Protocol):
    def load(self, data: dict) -> dict: ...


_handlers: dict[str, Handler] = {}
_forms: dict[str, Callable[[], Any]] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a service-task handler: ``@handler("registrasi.buat_akun")``."""

    def register(fn: Handler) -> Handler:
        _handlers[name] = fn
        return fn

    return register


def form(name: str) -> Callable:
    """Register a marshmallow schema class as the form ``name``."""

    def register(schema_cls):
        _forms[name] = schema_cls
        return schema_cls

    return register


def get_handler(name: str) -> Handler | None:
    return _handlers.get(name)


def get_form(name: str):
    cls = _forms.get(name)
    return cls() if cls is not None else None


def handler_names() -> list[str]:
    return sorted(_handlers)


def form_names() -> list[str]:
    return sorted(_forms)


def load_modules(spec: str) -> None:
    """Import the comma-separated modules that register handlers and forms."""
    for name in filter(None, (part.strip() for part in spec.split(","))):
        importlib.import_module(name)
