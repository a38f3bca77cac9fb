"""``alur audit …``: verify the journal, sign and export checkpoints, export a case or a period.

The same service functions as ``/api/v1/audit``. Whoever runs the command on the server reads as an auditor.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from engine.principal import Principal


def _reader(name: str = "operator") -> Principal:
    return Principal(name, frozenset({"auditor"}))


def _refused(exc) -> None:
    click.echo(f"refused: {exc.detail}", err=True)
    for field, messages in (getattr(exc, "errors", None) or {}).items():
        click.echo(f"  - {field}: {'; '.join(messages)}", err=True)
    sys.exit(2)


@click.group()
def audit() -> None:
    """The journal for auditors: verify every hash chain, signed checkpoints, exports."""


@audit.command("verify")
@click.option("--instance", type=int, default=None, help="Only this case.")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A checkpoint file you kept (from `alur audit checkpoints --export`).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def verify(instance: int | None, checkpoint_file: Path | None, as_json: bool) -> None:
    """Walk every chain and name the first broken link; exit 1 when one is broken."""
    from engine.errors import AlurError
    from engine.services import audit as service

    from .cli import _db, _settings

    settings = _settings()
    bar = None

    def total(n: int) -> None:
        nonlocal bar
        bar = click.progressbar(length=n, label="verifying", file=sys.stderr, show_pos=True)
        bar.__enter__()

    def progress(read: int) -> None:
        if bar is not None:
            bar.update(read - bar.pos)

    try:
        checkpoints = (service.read_checkpoint_file(checkpoint_file.read_text(encoding="utf-8"))
                       if checkpoint_file else None)
        with _db(settings) as database:
            result = service.verify(database, _reader(), settings, instance_id=instance, checkpoints=checkpoints,
                                    progress=progress, total=total)
    except AlurError as exc:
        _refused(exc)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        click.echo(json.dumps(result, indent=1))
    else:
        _print_verify(result)
    sys.exit(0 if result["verified"] else 1)


def _print_verify(result: dict) -> None:
    cps = result["checkpoints"]
    latest = cps["latest"]
    against = (f"against checkpoint {latest['id']} of {latest['created_at']} (key {latest['key_id']}, "
               f"from the {cps['source']})" if latest else "with no signed checkpoint (a cut tail may go unseen)")
    click.echo(f"{result['events']} events of {result['instances']} cases checked {against}")
    for problem in cps["invalid"]:
        click.echo(f"CHECKPOINT NOT TRUSTED: {problem}")
    first = result["first_break"]
    if first:
        click.echo(f"BROKEN: case {first['instance_id']} event {first['seq']} (id {first['event_id']}) "
                   f"{first['kind']}: {first['problem']}")
        if result["broken_cases"] > 1:
            click.echo(f"{result['broken_cases']} cases are broken in all (--json lists the first 100)")
    elif result["verified"]:
        click.echo("verified: every chain is intact")


@audit.command("checkpoint")
@click.option("--instance", type=int, default=None, help="Only this case (default: every case).")
@click.option("--by", "by", default="operator", help="Your name, recorded in the checkpoint.")
def checkpoint(instance: int | None, by: str) -> None:
    """Sign the count and head hash of every intact chain now."""
    from engine.errors import AlurError
    from engine.services import audit as service

    from .cli import _db, _settings

    settings = _settings()
    try:
        with _db(settings) as database:
            cp = service.create_checkpoint(database, settings, by, instance)
    except AlurError as exc:
        _refused(exc)
    click.echo(f"checkpoint {cp['id']}: {cp['events']} events of {cp['instances']} cases, digest "
               f"{cp['digest'][:16]}, key {cp['key_id']}")
    for item in cp["left_out"]:
        click.echo(f"left out (broken): case {item['instance_id']} event {item['seq']}: {item['problem']}", err=True)


@audit.command("checkpoints")
@click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every checkpoint (heads, signature, public key) to this file for the auditor to keep.")
def checkpoints(export_to: Path | None) -> None:
    """List the signed checkpoints, or export them all."""
    from engine.services import audit as service

    from .cli import _db, _settings

    with _db(_settings()) as database:
        if export_to is not None:
            document = service.export_checkpoints(database, _reader())
            export_to.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
            click.echo(f"{len(document['checkpoints'])} checkpoints written to {export_to}")
            return
        for cp in service.list_checkpoints(database, _reader(), limit=50, with_heads=False):
            scope = f"case {cp['instance_id']}" if cp["instance_id"] else "all cases"
            click.echo(f"#{cp['id']} {cp['created_at']} {scope}: {cp['events']} events of {cp['instances']} cases, "
                       f"key {cp['key_id']}, by {cp['created_by']}")


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time (2026-12-01 or 2026-12-01T08:00+07:00)")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@audit.command("export")
@click.option("--instance", type=int, default=None, help="One case.")
@click.option("--from", "start", default=None, help="Events at or after (ISO 8601; no zone means UTC).")
@click.option("--to", "end", default=None, help="Events before (ISO 8601).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout.")
def export(instance: int | None, start: str | None, end: str | None, fmt: str, output: Path | None) -> None:
    """A case or a period of the journal, NIK and NPWP masked."""
    from engine.errors import AlurError
    from engine.services import audit as service

    from .cli import _db, _settings

    try:
        with _db(_settings()) as database:
            scope = service.export_scope(database, _reader(), instance_id=instance, start=_when(start), end=_when(end))
            rows = service.export_events(database, scope)
            chunks = service.csv_lines(rows) if fmt == "csv" else service.json_chunks(scope, rows)
            if output is None:
                for chunk in chunks:
                    click.echo(chunk, nl=False)
                return
            partial = output.with_name(output.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as f:
                for chunk in chunks:
                    f.write(chunk)
            partial.replace(output)  # never a half-written export under the name asked for
    except AlurError as exc:
        _refused(exc)
    click.echo(f"written to {output}", err=True)


@audit.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen(path: Path) -> None:
    """Create the Ed25519 checkpoint key at PATH (mode 0600); set ALUR_AUDIT_KEY_PATH to it."""
    from engine import signing

    if path.exists():
        click.echo(f"refused: {path} exists; a checkpoint key is never overwritten", err=True)
        sys.exit(2)
    key = signing.create_key(path)
    public = signing.public_b64(key)
    click.echo(f"key {signing.key_id(public)} written to {path}; public key {public}")
