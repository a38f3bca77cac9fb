"""The numbers /metrics reports, computed from the database when Prometheus scrapes.

Counts come from the tables themselves rather than from counters kept in each process, so every web
process and every machine reports the same truth, and a restart loses nothing. Other modules add their
own numbers with ``@source``; the outbox of webhook and e-mail deliveries is read here if its table exists.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import MetaData, Table, func, inspect, select

from .. import clock
from ..db import Database
from ..models import Incident, Instance, Job, Schedule, Task
from ..models.instance import COMPLETED, RUNNING
from ..models.task import READY


@dataclass
class Metric:
    name: str  # without the alur_ prefix; counters without _total
    kind: str  # "gauge" or "counter"
    help: str
    labels: tuple[str, ...] = ()
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

    def add(self, value: float, *labels: str) -> "Metric":
        self.samples.append((tuple("" if v is None else str(v) for v in labels), float(value)))
        return self


Source = Callable[[object, datetime], Iterable[Metric]]
_sources: list[Source] = []
# Tables other issues use for outgoing deliveries; each is reported when it exists.
OUTBOX_TABLES = ("outbox", "webhook_deliveries", "email_outbox", "notification_outbox")
PENDING = ("pending", "queued", "retrying", "scheduled", "held")
FAILED = ("failed", "dead", "dead_letter", "refused")


def source(fn: Source) -> Source:
    """Register ``fn(session, now) -> metrics`` (e.g. an outbox with its own idea of backlog)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def collect(db: Database) -> list[Metric]:
    now = clock.now()
    with db.reader() as session:
        out = list(_instances(session)) + list(_tasks(session, now)) + list(_due(session, now))
        out += list(_incidents_and_jobs(session)) + list(_outboxes(session))
        for extra in _sources:
            out.extend(extra(session, now))
    return out


def _instances(session) -> Iterable[Metric]:
    rows = session.execute(select(Instance.process_id, Instance.state, func.count())
                           .group_by(Instance.process_id, Instance.state)).all()
    current = Metric("instances", "gauge", "Cases by process and state now.", ("process", "state"))
    started = Metric("instances_started", "counter", "Cases ever started, by process.", ("process",))
    completed = Metric("instances_completed", "counter", "Cases completed, by process.", ("process",))
    totals: dict[str, int] = {}
    for process_id, state, count in rows:
        current.add(count, process_id, state)
        totals[process_id] = totals.get(process_id, 0) + count
        if state == COMPLETED:
            completed.add(count, process_id)
    for process_id, count in sorted(totals.items()):
        started.add(count, process_id)
    failed = Metric("instances_failed", "counter", "Cases that failed at least once (have had an incident).",
                    ("process",))
    for process_id, count in session.execute(select(Incident.process_id, func.count(func.distinct(Incident.instance_id)))
                                             .group_by(Incident.process_id)).all():
        failed.add(count, process_id)
    return [current, started, completed, failed]


def _tasks(session, now: datetime) -> Iterable[Metric]:
    role = func.coalesce(Task.role, "initiator")
    open_tasks = Metric("tasks_open", "gauge", "Open tasks in the inboxes, by role (lane).", ("role",))
    for name, count in session.execute(select(role, func.count()).where(Task.state == READY).group_by(role)).all():
        open_tasks.add(count, name)
    overdue = Metric("tasks_overdue", "gauge", "Open tasks past their due date, by role.", ("role",))
    for name, count in session.execute(select(role, func.count()).where(Task.state == READY, Task.due_at < now)
                                       .group_by(role)).all():
        overdue.add(count, name)
    return [open_tasks, overdue]


def _due(session, now: datetime) -> Iterable[Metric]:
    timers = session.execute(select(func.count(), func.min(Instance.next_timer_at))
                             .where(Instance.state == RUNNING, Instance.next_timer_at <= now)).one()
    starts = session.execute(select(func.count(), func.min(Schedule.next_due))
                             .where(Schedule.active.is_(True), Schedule.next_due <= now)).one()
    return [
        Metric("timers_due", "gauge", "Timers due now and not yet fired.").add(timers[0]),
        Metric("timer_lag_seconds", "gauge", "How long the oldest due timer has waited for a worker (0: none).")
        .add(_lag(now, timers[1])),
        Metric("schedules_due", "gauge", "Scheduled starts due now and not yet started.").add(starts[0]),
        Metric("schedule_lag_seconds", "gauge", "How long the oldest due scheduled start has waited (0: none).")
        .add(_lag(now, starts[1])),
    ]


def _lag(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # an aggregate bypasses the column type on SQLite
        oldest = oldest.replace(tzinfo=timezone.utc)
    return max(0.0, (now - oldest).total_seconds())


def _incidents_and_jobs(session) -> Iterable[Metric]:
    incidents = Metric("incidents", "gauge", "Incidents by status (retrying, open, resolved).", ("status",))
    for status, count in session.execute(select(Incident.status, func.count()).group_by(Incident.status)).all():
        incidents.add(count, status)
    jobs = Metric("jobs", "gauge", "Long jobs by state.", ("state",))
    for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state)).all():
        jobs.add(count, state)
    return [incidents, jobs]


def _outboxes(session) -> Iterable[Metric]:
    names = set(inspect(session.connection()).get_table_names())
    backlog = Metric("outbox_backlog", "gauge", "Deliveries (webhooks, e-mail) waiting to be sent, by outbox.",
                     ("outbox",))
    failures = Metric("deliveries_failed", "counter", "Deliveries that failed for good, by outbox.", ("outbox",))
    for name in OUTBOX_TABLES:
        if name not in names:
            continue
        table = Table(name, MetaData(), autoload_with=session.connection())
        column = table.c.get("state", table.c.get("status"))
        if column is not None:
            backlog.add(session.scalar(select(func.count()).select_from(table).where(column.in_(PENDING))), name)
            failures.add(session.scalar(select(func.count()).select_from(table).where(column.in_(FAILED))), name)
        elif "delivered_at" in table.c:
            backlog.add(session.scalar(select(func.count()).select_from(table)
                                       .where(table.c.delivered_at.is_(None))), name)
    return [m for m in (backlog, failures) if m.samples]

