"""``alur definitions …``: the versions of a process and moving its running cases onto a newer one, on the
same services as the API."""
from __future__ import annotations

import sys

import click

from engine.principal import Principal


@click.group()
def definitions() -> None:
    """Deployed processes: their versions, and migrating running cases."""


@definitions.command("versions")
@click.argument("process_id")
def versions_list(process_id: str) -> None:
    """Every version of PROCESS_ID, newest first, with what it changed against the one before."""
    from engine.errors import AlurError
    from engine.services import versions

    from .cli import _db, _settings

    try:
        with _db(_settings()) as database:
            items = versions.history(database, process_id)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail}", err=True)
        sys.exit(1)
    for v in items:
        changes = v.changes
        summary = ("first version" if changes is None else
                   f"+{len(changes['added'])} -{len(changes['removed'])} ~{len(changes['changed'])}")
        click.echo(f"v{v.version} {v.model_hash[:12]} {v.deployed_at:%Y-%m-%d %H:%M} {v.deployed_by} {summary}")
        for kind, mark in (("added", "+"), ("removed", "-"), ("changed", "~")):
            for c in (changes or {}).get(kind, []):
                attrs = f" ({', '.join(c['attributes'])})" if c["attributes"] else ""
                click.echo(f"    {mark} {c['element_id']}{attrs}")


@definitions.command("migrate")
@click.argument("process_id")
@click.option("--to", "target", required=True, help="The target version: its number or hash (7+ hex digits).")
@click.option("--dry-run", is_flag=True, help="Only say which cases would move and which would not, and why.")
@click.option("--reason", default="migrated with alur definitions migrate", show_default=True,
              help="Recorded in each case's journal.")
@click.option("--by", "by", default="system", show_default=True, help="Your name, recorded in the journal.")
def migrate(process_id: str, target: str, dry_run: bool, reason: str, by: str) -> None:
    """Move every running case of PROCESS_ID that safely can onto version --to; the others stay, with why."""
    from engine.errors import AlurError
    from engine.services import versions

    from .cli import _db, _settings

    settings = _settings()
    principal = Principal(by, frozenset({"analis", "system"}))
    try:
        with _db(settings) as database:
            outcomes = versions.migrate_process(database, process_id, target, reason, principal, settings,
                                                dry_run=dry_run)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail}", err=True)
        sys.exit(1)
    for o in outcomes:
        mark = "moved" if o.migrated else "would move" if o.movable else "stays"
        click.echo(f"case {o.instance_id} v{o.from_version} -> v{o.to_version}: {mark}: {o.detail}")
    movable = sum(o.movable for o in outcomes)
    click.echo(f"{'would move' if dry_run else 'moved'} {movable} of {len(outcomes)} case(s)")
    if movable < len(outcomes):
        sys.exit(2)
