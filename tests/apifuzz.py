"""schemathesis against the running API, once per role: no 5xx, every response documented.

Used by ``tests/test_api_fuzz.py`` (a few examples per operation in the suite) and
``tests/soak/api_fuzz.py`` (many more). The server is real gunicorn (``crashharness.Server``) on a real
database holding one demo account per role; schemathesis reads ``/api/openapi.json`` from it and sends
its generated requests with the role's bearer token. The checks:

- ``not_a_server_error``: no response is a 5xx;
- ``status_code_conformance``: every status is one the operation documents;
- ``content_type_conformance`` and ``response_schema_conformance``: every body has the documented media
  type and validates against the documented schema.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from raceharness import token
from workerproc import ROOT

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@dataclass
class Outcome:
    role: str
    returncode: int
    seconds: float
    output: str

    @property
    def failures(self) -> str:
        """The failures schemathesis reported, each with its response and a curl command to reproduce it."""
        start = self.output.find("FAILURES")
        end = self.output.find("WARNINGS", start)
        return self.output[start:end if end > 0 else None] if start >= 0 else self.output[-3000:]

    @property
    def cases(self) -> int:
        """How many requests schemathesis generated and checked."""
        found = re.findall(r"(\d+) generated", self.output)
        return int(found[-1]) if found else 0

    @property
    def summary(self) -> str:
        tested = re.findall(r"Tested: (\d+)", self.output)
        last = [line.strip("= ") for line in self.output.splitlines() if line.startswith("====")]
        return (f"{self.role}: {tested[-1] if tested else '?'} operations, {self.cases} test cases, "
                f"{last[-1] if last else 'no summary'} ({self.seconds:.0f} s)")


def tokens(base: str, roles, password: str) -> dict[str, str]:
    """Every role's token, taken before any fuzzing: fuzzed sign-ins soon trip the sign-in rate limit (429)."""
    return {role: token(base, role, password) for role in roles}


def run_role(base: str, role: str, bearer: str, report_dir: Path, *, examples: int, seed: int,
             phases: str = "examples,coverage,fuzzing", timeout: float = 3600) -> Outcome:
    command = [str(Path(os.sys.executable).with_name("schemathesis")), "run", f"{base}/api/openapi.json",
               "--header", f"Authorization: Bearer {bearer}", "--checks", CHECKS, "--max-examples", str(examples),
               "--phases", phases, "--seed", str(seed), "--workers", "1", "--generation-database", "none",
               "--request-timeout", "30", "--no-color", "--output-truncate", "false",
               "--report", "junit", "--report-junit-path", str(report_dir / f"{role}.xml")]
    began = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                            env=dict(os.environ, SCHEMATHESIS_TELEMETRY="false", NO_COLOR="1"))
    return Outcome(role, result.returncode, time.monotonic() - began, result.stdout + result.stderr)
