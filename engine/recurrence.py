"""When a schedule's occurrences fall: ISO 8601 start timers turned into a rule with calendar arithmetic.

SpiffWorkflow turns ``R/2026-01-01T00:00:00+07:00/P3M`` into a fixed number of seconds (the length of the
first quarter) and adds it again and again, so its quarters drift. Alur computes occurrence *k* as
``anchor + k × period`` with ``dateutil.relativedelta`` in the anchor's own UTC offset: every quarter
starts on the first of January, April, July and October at 00:00 WIB, every day at 07:00 stays 07:00.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import sandbox

_CYCLE = re.compile(r"^R(\d*)/(.+)$", re.IGNORECASE)
FIX = ("Write the start timer as ISO 8601 with an explicit UTC offset: a cycle R/2026-01-01T07:00:00+07:00/P1D "
       "(every day at 07:00 WIB), R/2026-01-01T00:00:00+07:00/P3M (each quarter), R4/… (four times only), "
       "a date-time 2026-12-01T07:00:00+07:00, or a duration PT1H (once, that long after the deploy).")


class RuleError(ValueError):
    """The start timer cannot be turned into occurrences; the message says why."""


@dataclass(frozen=True)
class Rule:
    anchor: datetime  # occurrence 0, aware, in the offset the diagram wrote
    period: str | None  # ISO 8601 duration between occurrences; None: a single occurrence
    cycles: int | None  # how many occurrences in all; None: for ever

    def due(self, index: int) -> datetime | None:
        """When occurrence ``index`` falls (aware, anchor's offset), or None past the last one."""
        if index < 0 or (self.cycles is not None and index >= self.cycles):
            return None
        if self.period is None:
            return self.anchor if index == 0 else None
        return self.anchor + _delta(self.period) * index

    def first_at_or_after(self, moment: datetime) -> int | None:
        """The index of the first occurrence not before ``moment`` (None when there is none left)."""
        if self.period is None:
            return 0 if self.anchor >= moment else None
        step = (self.anchor + _delta(self.period) - self.anchor).total_seconds()
        index = max(0, int((moment - self.anchor).total_seconds() // step) - 2)
        while (due := self.due(index)) is not None and due < moment:
            index += 1
        while index > 0 and (earlier := self.due(index - 1)) is not None and earlier >= moment:
            index -= 1
        return index if self.due(index) is not None else None


def literal(expression: str) -> str:
    """The ISO text of a timer: written bare (bpmn.io, Camunda) or as a quoted Python string (Spiff)."""
    text = (expression or "").strip()
    if text[:1] in ("'", '"'):
        try:
            value = sandbox.evaluate(text, {})
        except sandbox.ScriptError as exc:
            raise RuleError(f"\"{expression}\" is not a constant: {exc}") from None
        if not isinstance(value, str):
            raise RuleError(f"\"{expression}\" is not a text")
        text = value.strip()
    if not text:
        raise RuleError("the start timer has no value")
    return text


def parse(kind: str, expression: str, now: datetime) -> Rule:
    """The rule of a start timer of ``kind`` (cycle, date or duration); ``now`` anchors relative ones."""
    text = literal(expression)
    if kind == "date":
        return Rule(_datetime(text), None, 1)
    if kind == "duration":
        return Rule(now.astimezone(timezone.utc) + _positive(text), None, 1)
    if kind != "cycle":
        raise RuleError("the start timer has no timeCycle, timeDate or timeDuration")
    match = _CYCLE.match(text)
    if match is None:
        raise RuleError(f"\"{text}\" is not a repeating interval (it must begin with R/ or Rn/)")
    cycles = int(match.group(1)) if match.group(1) else None
    if cycles == 0:
        raise RuleError("R0 never starts anything")
    parts = match.group(2).split("/")
    if len(parts) == 1:  # R/P1D: the first occurrence one period after the schedule is recorded
        _positive(parts[0])
        return Rule(now.astimezone(timezone.utc) + _delta(parts[0]), parts[0].upper(), cycles)
    if len(parts) == 2 and not parts[0].upper().startswith("P"):
        _positive(parts[1])
        return Rule(_datetime(parts[0]), parts[1].upper(), cycles)
    raise RuleError(f"\"{text}\": only R/start/period and R/period are supported")


def _datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise RuleError(f"\"{text}\" is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise RuleError(f"\"{text}\" has no UTC offset, so it would depend on the server's time zone")
    return value


def _delta(period: str) -> relativedelta:
    try:
        parts = TimerEventDefinition.parse_iso_duration(period)
    except Exception:  # noqa: BLE001 - spiff raises a bare Exception for a bad duration
        raise RuleError(f"\"{period}\" is not an ISO 8601 duration") from None
    years, months = parts.pop("years", 0), parts.pop("months", 0)
    if int(years) != years or int(months) != months:
        raise RuleError(f"\"{period}\": years and months must be whole numbers")
    # Everything below a month as whole microseconds, so that k × period stays exact.
    micro = round(timedelta(**parts).total_seconds() * 1_000_000)
    return relativedelta(years=int(years), months=int(months), microseconds=micro)


def _positive(period: str) -> relativedelta:
    delta = _delta(period)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    if start + delta - start < timedelta(seconds=1):
        raise RuleError(f"\"{period}\" is shorter than a second")
    return delta
