"""``alur traceability``: write docs/traceability.md from the diagrams."""
from __future__ import annotations

import sys

import click


@click.command("traceability")
def traceability() -> None:
    """Write docs/traceability.md: each obligation with the diagram elements that carry it out."""
    from . import traceability as trace

    items = trace.elemen()
    unknown = trace.tidak_dikenal(items)
    for element, value in unknown:
        click.echo(f"unknown pasal {value!r} on {element.berkas} {element.id}", err=True)
    missing = trace.tulis()
    click.echo(f"wrote {trace.OUTPUT}")
    if missing:
        click.echo(f"obligations without an element: {', '.join(missing)}", err=True)
    if missing or unknown:
        sys.exit(1)
