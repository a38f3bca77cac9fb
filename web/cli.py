"""The operator command ``alur``: the same service functions the API calls."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from engine import registry
from engine.principal import Principal

from . import config as alur_config
from . import logs

SYSTEM_ANALYST = Principal("system", frozenset({"system", "analis"}))


def _settings() -> dict:
    settings = alur_config.load()
    logs.configure(str(settings["LOG_LEVEL"]))
    registry.load_modules(str(settings["HANDLER_MODULES"]))
    return settings


@contextlib.contextmanager
def _db(settings: dict):
    from engine.db import Database

    database = Database(str(settings["DATABASE_URL"]))
    try:
        yield database
    finally:
        database.dispose()


@click.group()
def main() -> None:
    """Alur: the LPSE's standard operating procedures as executable BPMN."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the latest schema."""
    from engine import migrate

    settings = _settings()
    migrate.upgrade(str(settings["DATABASE_URL"]))
    click.echo("database is at the latest schema")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def deploy(paths: tuple[Path, ...]) -> None:
    """Deploy BPMN files (or every .bpmn in the given folders) as one set."""
    from engine.errors import AlurError
    from engine.services import definitions

    settings = _settings()
    files = []
    for path in paths:
        for file in sorted(path.glob("*.bpmn")) if path.is_dir() else [path]:
            files.append((file.name, file.read_bytes()))
    try:
        with _db(settings) as database:
            result = definitions.deploy(database, files, SYSTEM_ANALYST, settings)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail}", err=True)
        for item in exc.extra.get("errors", []):
            click.echo(f"  - [{item.get('severity')}] {item.get('file') or ''} {item.get('element_id') or ''}: "
                       f"{item.get('message')} -> {item.get('fix')}", err=True)
        sys.exit(1)
    for p in result.processes:
        click.echo(f"{p.process_id} v{p.version} {p.model_hash[:12]} {'new' if p.created else 'unchanged'}")
    for w in result.warnings:
        click.echo(f"  warning {w.get('element_id')}: {w.get('message')}", err=True)


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Role id; repeat for several.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="")
@click.option("--email", default=None)
def users_create(username: str, roles: tuple[str, ...], password: str, full_name: str, email: str | None) -> None:
    """Create an account."""
    from engine.errors import AlurError
    from engine.services import accounts

    settings = _settings()
    try:
        with _db(settings) as database, database.unit_of_work() as session:
            accounts.create_user(session, username, password, list(roles), full_name=full_name, email=email)
    except AlurError as exc:
        click.echo(f"refused: {exc.detail} {exc.extra.get('errors', '')}", err=True)
        sys.exit(1)
    click.echo(f"created {username} ({', '.join(roles)})")


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--workers", type=int, default=None)
@click.option("--with-worker/--without-worker", default=False, help="Also run the background worker.")
def serve(host: str | None, port: int | None, workers: int | None, with_worker: bool) -> None:
    """Serve Alur on gunicorn."""
    from .server import serve as run

    settings = _settings()
    run(host or str(settings["HOST"]), port or int(settings["PORT"]),
        workers if workers is not None else int(settings["WEB_WORKERS"]), with_worker,
        threads=int(settings["WEB_THREADS"]))


@main.command()
@click.option("--once", is_flag=True, help="Do the due work once and exit.")
@click.option("--idle-exit", type=float, default=None, metavar="SECONDS",
              help="Exit after this many seconds without due work (batch runs, tests).")
def worker(once: bool, idle_exit: float | None) -> None:
    """Run the background worker (schedules, timers, retries, deliveries, long jobs)."""
    from engine import worker as loop

    settings = _settings()
    with _db(settings) as database:
        if once:
            click.echo(f"did {loop.run_once(database, settings)} item(s)")
            return
        loop.run_forever(database, settings, idle_exit=idle_exit)


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
def dev(host: str | None, port: int | None) -> None:
    """Development mode: upgrade the database, deploy workflows/bpmn, create demo accounts, serve with the worker."""
    from engine import migrate

    from .server import serve as run

    settings = _settings()
    migrate.upgrade(str(settings["DATABASE_URL"]))
    with _db(settings) as database:
        _prepare_dev(database, settings)
    host, port = host or str(settings["HOST"]), port or int(settings["PORT"])
    click.echo(f"Alur: http://{host}:{port}  (demo accounts: username = role id, password = ALUR_DEMO_PASSWORD)")
    run(host, port, int(settings["WEB_WORKERS"]), with_worker=True, threads=int(settings["WEB_THREADS"]))


def _prepare_dev(database, settings: dict) -> None:
    from engine.roles import ROLES
    from engine.services import accounts, definitions

    bpmn_dir = alur_config.ROOT / "workflows" / "bpmn"
    files = [(f.name, f.read_bytes()) for f in sorted(bpmn_dir.glob("*.bpmn"))]
    if files:
        result = definitions.deploy(database, files, SYSTEM_ANALYST, settings)
        for p in result.processes:
            click.echo(f"deployed {p.process_id} v{p.version}")
    password = str(settings["DEMO_PASSWORD"])
    for role in ROLES:
        if accounts.ensure_user(database, role, password, [role], full_name=f"Demo {ROLES[role][0]}", is_demo=True):
            click.echo(f"demo account {role}")


from .cli_worker import incidents, schedules  # noqa: E402 - the worker's commands (issue 8)

main.add_command(incidents)
main.add_command(schedules)
from .cli_audit import audit  # noqa: E402 - issue 5: verify, checkpoints, export

main.add_command(audit)

from workflows.cli import traceability  # noqa: E402 - registered after the core commands

main.add_command(traceability)
from .cli_versions import definitions as definitions_commands  # noqa: E402 - versions, migration (issue 6)

main.add_command(definitions_commands)

from .cli_replay import register as register_replay  # noqa: E402 - issue 5: `alur audit replay`

register_replay(main)

if __name__ == "__main__":
    main()
