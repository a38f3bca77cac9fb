"""The one clock the engine reads. Tests move it; the timer code of SpiffWorkflow reads it too."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc) + _offset


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
