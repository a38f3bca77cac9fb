"""Listeners on the journal: whatever must happen because an event was recorded (an outbox row for a
webhook, an e-mail, a metric) registers here and runs inside the same transaction as the event.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Written:
    """One journal row as written, with the case facts a listener usually needs."""

    instance_id: int
    process_id: str
    started_by: str | None
    seq: int
    type: str
    element_id: str | None
    actor: str | None
    role: str | None
    at: object
    data: str  # canonical JSON
    hash: str


Listener = Callable[[object, list[Written]], None]
_listeners: list[Listener] = []


def on_journal(listener: Listener) -> Listener:
    """Register ``listener(session, written_rows)``; it must only add rows to the session, never commit."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def notify(session, rows: list[Written]) -> None:
    for listener in list(_listeners):
        listener(session, rows)
