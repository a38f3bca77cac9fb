"""``alur incidents …`` and ``alur schedules``: the operator's side of the worker, on the same services as the API."""
from __future__ import annotations

import sys

import click

from engine.principal import Principal


def _operator(name: str) -> Principal:
    """Whoever runs the command on the server acts as admin_sistem, under the name they give."""
    return Principal(name, frozenset({"admin_sistem"}))


@click.group()
def incidents() -> None:
    """Failed cases: list, retry after fixing the cause, or resolve with a reason."""


@incidents.command("list")
@click.option("--status", type=click.Choice(["active", "retrying", "open", "resolved", "all"]), default="active")
def incidents_list(status: str) -> None:
    from engine.services import incidents as service

    from .cli import _db, _settings

    with _db(_settings()) as database:
        items, counts = service.list_incidents(database, _operator("system"),
                                               status=None if status == "all" else status, limit=500)
    for i in items:
        click.echo(f"#{i.id} case {i.instance_id} {i.process_id}/{i.element_id or '-'} {i.status} "
                   f"attempts {i.attempts}/{i.max_attempts}: {i.error.get('message', '')[:120]}")
    click.echo(f"retrying {counts['retrying']}, open {counts['open']}, resolved {counts['resolved']}")


@incidents.command("retry")
@click.argument("incident_id", type=int)
@click.option("--by", "by", required=True, help="Your name, recorded in the case's journal.")
@click.option("--reason", default=None)
def incidents_retry(incident_id: int, by: str, reason: str | None) -> None:
    from engine.errors import AlurError
    from engine.services import incidents as service

    from .cli import _db, _settings

    settings = _settings()
    try:
        with _db(settings) as database:
            result = service.retry(database, incident_id, _operator(by), settings, reason=reason)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail}", err=True)
        sys.exit(1)
    click.echo(f"#{result.id} {result.status}")


@incidents.command("resolve")
@click.argument("incident_id", type=int)
@click.option("--by", "by", required=True, help="Your name, recorded in the case's journal.")
@click.option("--reason", required=True)
def incidents_resolve(incident_id: int, by: str, reason: str) -> None:
    from engine.errors import AlurError
    from engine.services import incidents as service

    from .cli import _db, _settings

    try:
        with _db(_settings()) as database:
            result = service.resolve(database, incident_id, _operator(by), reason)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail}", err=True)
        sys.exit(1)
    click.echo(f"#{result.id} {result.status}")


@click.command()
def schedules() -> None:
    """Scheduled processes and when each starts its next case."""
    from engine.services import schedules as service

    from .cli import _db, _settings

    with _db(_settings()) as database:
        rows = service.list_schedules(database)
    for s in rows:
        state = f"next {s.next_due.isoformat()}" if s.next_due else ("finished" if s.active else "retired")
        click.echo(f"{s.process_id} v{s.process_version} {s.kind} {s.expression}: {state}")
