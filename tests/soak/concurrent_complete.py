"""1,000 rounds of two simultaneous completions of one task, against gunicorn with three web processes.
Not collected by pytest; one command per database:

    .venv/bin/python tests/soak/concurrent_complete.py                          # SQLite, a new temp database
    .venv/bin/python tests/soak/concurrent_complete.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/alur_soak --reset    # PostgreSQL (schema is dropped!)

Every round must give exactly one 200 and one 409 (problem+json), never a 5xx, and leave a journal
that verifies with one ``task.completed`` (tests/raceharness.py). Prints the tallies; exit status 0
when every round held.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent), str(HERE)]

import raceharness  # noqa: E402
from crash_soak import PASSWORD, prepare  # noqa: E402
from crashharness import Server  # noqa: E402
from receivers import free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the PostgreSQL schema (required)")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn web processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        url = args.url or f"sqlite:///{var}/soak.db"
        db = prepare(url, args.reset, diagram="two_lanes.bpmn", users=("penyedia", "auditor", "analis"))
        db.dispose()
        log = Path(var) / "gunicorn.log"
        server = Server(url, Path(var), free_port(), workers=args.workers, log=log)
        server.start()
        try:
            server.wait_ready()
            tally = raceharness.run(f"http://127.0.0.1:{server.port}", PASSWORD, args.rounds,
                                    progress=lambda line: print(line, flush=True))
        finally:
            server.stop()
        tracebacks = log.read_text().count("Traceback")
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{backend}, {args.workers} gunicorn workers: {tally.line()}; tracebacks in the server log: {tracebacks}")
    for problem in tally.problems[:20]:
        print("PROBLEM", problem)
    ok = not tally.problems and tally.server_errors == 0 and tally.outcomes == {"200+409": args.rounds}
    sys.exit(0 if ok and not tracebacks else 1)


if __name__ == "__main__":
    main()
