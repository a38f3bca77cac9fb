"""``alur audit replay``: re-run cases from their journals and report where a case departs from its record."""
from __future__ import annotations

import sys

import click


@click.command("replay")
@click.argument("instance_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Replay every case, oldest first.")
def replay(instance_id: int | None, every: bool) -> None:
    """Replay a case (or --all) from its recorded inputs and compare it with its journal."""
    from engine.errors import AlurError
    from engine.services import replay as service

    from .cli import _db, _settings
    from .logs import mask  # a divergence quotes recorded data: personal numbers stay masked

    if (instance_id is None) == (not every):
        raise click.UsageError("give a case id, or --all (not both)")
    settings = _settings()
    diverged = 0
    with _db(settings) as database:
        if every:
            total = service.count(database)
            with click.progressbar(service.check_all(database, settings), length=total, label="replaying",
                                   file=sys.stderr, show_pos=True) as checks:
                results = []
                for check in checks:
                    results.append(check)
        else:
            try:
                results = [service.check(database, instance_id, settings)]
            except AlurError as exc:
                click.echo(f"refused: {exc.detail}", err=True)
                sys.exit(2)
    for check in results:
        if check.divergence is None:
            if not every:
                click.echo(f"case {check.instance_id} ({check.process_id}): {check.events} events reproduced")
        else:
            diverged += 1
            d = check.divergence
            click.echo(mask(f"case {check.instance_id} ({check.process_id}): diverges at event {d.seq}: {d.problem}"))
    if every:
        click.echo(f"{len(results) - diverged} of {len(results)} case(s) reproduce their journal")
    sys.exit(1 if diverged else 0)


def register(main: click.Group) -> None:
    """Put ``replay`` in the ``audit`` group (``alur audit verify`` and the others live in ``web/cli_audit.py``),
    making the group when no module registered it first."""
    group = main.commands.get("audit")
    if not isinstance(group, click.Group):
        group = click.Group("audit", help="Auditors: replay and verify the history of cases.")
        main.add_command(group)
    group.add_command(replay)
