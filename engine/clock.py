"""The one clock the engine reads. Tests move it; the timer code of SpiffWorkflow reads it too."""
from __future__ import annotations

import contextlib
import threading
from datetime import datetime, timedelta, timezone

_offset = timedelta(0)
_frozen: datetime | None = None
_pinned = threading.local()  # a replay on this thread reads the recorded time, other threads the real one


def now() -> datetime:
    at = getattr(_pinned, "at", None)
    if at is not None:
        return at
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc) + _offset


@contextlib.contextmanager
def pinned(at: datetime):
    """Inside the block, this thread's ``now()`` is ``at`` (a replay re-runs a step at its recorded time)."""
    previous = getattr(_pinned, "at", None)
    _pinned.at = at
    try:
        yield
    finally:
        _pinned.at = previous


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and dry runs)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


def freeze(at: datetime | None) -> None:
    global _frozen
    _frozen = at


def reset() -> None:
    global _offset, _frozen
    _offset, _frozen = timedelta(0), None


class _ClockDatetime(datetime):
    """Stands in for ``datetime`` inside SpiffWorkflow's timer module, so its ``now()`` is ours."""

    @classmethod
    def now(cls, tz=None):
        current = now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def install() -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime
