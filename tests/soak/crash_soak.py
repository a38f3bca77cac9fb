"""The long kill -9 run: hundreds of kills of the worker and the server, then the same invariants as
``tests/test_crash.py``. Not collected by pytest; run it by hand or nightly:

    .venv/bin/python tests/soak/crash_soak.py --kills 300 --cases 200
    .venv/bin/python tests/soak/crash_soak.py --kills 300 --cases 200 \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/alur_soak --reset

With no ``--url`` it runs on a new SQLite database in a temporary folder. ``--reset`` drops and recreates
the schema of the PostgreSQL database given: point it at a scratch database only. Exit status 0 when
every invariant holds; otherwise it prints each violation and the seed to replay it with ``--seed``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from sqlalchemy import create_engine, text  # noqa: E402

import crashharness  # noqa: E402
from engine import clock, migrate, registry  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.principal import Principal  # noqa: E402
from engine.services import accounts, definitions  # noqa: E402
from web.config import load  # noqa: E402

PASSWORD = "soak-password-123"


def prepare(url: str, reset: bool, diagram: str = "crash.bpmn", users: tuple[str, ...] = ("admin_sistem",)
            ) -> Database:
    """A migrated database with one demo user per role in ``users`` (password PASSWORD) and ``diagram`` deployed."""
    if not url.startswith("sqlite"):
        if not reset:
            sys.exit("--reset is required for PostgreSQL: the soak drops the schema of --url")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    db = Database(url)
    for role in users:
        accounts.ensure_user(db, role, PASSWORD, [role])
    registry.load_modules("workflows.handlers")
    definitions.deploy(db, [(diagram, (HERE.parent / "bpmn" / diagram).read_bytes())],
                       Principal("system", frozenset({"system", "analis"})), load({"DATABASE_URL": url}))
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    with tempfile.TemporaryDirectory() as var:
        url = args.url or f"sqlite:///{var}/soak.db"
        db = prepare(url, args.reset)
        began = clock.now()
        report = crashharness.run(db, url, Path(var), PASSWORD, kills=args.kills, seed=seed, cases=args.cases,
                                  settle=600, log=lambda line: print(line, flush=True))
        db.dispose()
    minutes = (clock.now() - began).total_seconds() / 60
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{backend}, seed {seed}: {dict(report.kills)} kills in {minutes:.1f} min "
          f"({report.mid_request} server kills with a request open, {report.mid_delivery} worker kills with a "
          f"delivery open); {report.cases} cases, {report.acknowledged} acknowledged completions, "
          f"{report.scheduled} scheduled starts, {report.events} public events with their outbox rows, "
          f"{report.deliveries} webhook requests received; {report.client_errors} client errors while the "
          f"server was down; {len(report.problems)} problems")
    for problem in report.problems:
        print("PROBLEM", problem)
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
