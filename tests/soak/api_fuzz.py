"""schemathesis for every role with many examples per operation and every phase (examples, coverage,
fuzzing), against gunicorn on a new database. Not collected by pytest:

    .venv/bin/python tests/soak/api_fuzz.py --examples 50                      # SQLite, a new temp database
    .venv/bin/python tests/soak/api_fuzz.py --examples 50 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/alur_soak --reset    # PostgreSQL (schema is dropped!)

Checks: no 5xx; every status code, media type and body as /api/openapi.json documents it
(tests/apifuzz.py). Prints one line per role; JUnit reports go to --report-dir. Exit status 0 when
every role passed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent), str(HERE)]

import apifuzz  # noqa: E402
from crash_soak import PASSWORD, prepare  # noqa: E402
from crashharness import Server  # noqa: E402
from engine.roles import ROLES  # noqa: E402
from receivers import free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the PostgreSQL schema (required)")
    parser.add_argument("--examples", type=int, default=50, help="examples per operation and phase")
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--report-dir", default="schemathesis-report")
    args = parser.parse_args()
    report_dir = Path(args.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    roles = args.roles.split(",")
    failed = 0
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as var:
        url = args.url or f"sqlite:///{var}/soak.db"
        prepare(url, args.reset, diagram="two_lanes.bpmn", users=tuple(ROLES)).dispose()
        log = Path(var) / "server.log"
        server = Server(url, Path(var), free_port(), workers=2, log=log)
        server.start()
        try:
            server.wait_ready()
            base = f"http://127.0.0.1:{server.port}"
            tokens = apifuzz.tokens(base, roles, PASSWORD)
            for role in roles:
                outcome = apifuzz.run_role(base, role, tokens[role], report_dir, examples=args.examples,
                                           seed=args.seed, phases=args.phases, timeout=6 * 3600)
                print(("ok  " if outcome.returncode == 0 else "FAIL"), outcome.summary, flush=True)
                if outcome.returncode != 0:
                    failed += 1
                    (report_dir / f"{role}.txt").write_text(outcome.output)
        finally:
            server.stop()
        tracebacks = log.read_text().count("Traceback")
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{backend}: {len(roles)} roles, {failed} failed, {tracebacks} tracebacks in the server log, "
          f"{(time.monotonic() - began) / 60:.1f} min; reports in {report_dir}")
    sys.exit(1 if failed or tracebacks else 0)


if __name__ == "__main__":
    main()
