"""Running real worker (and server) processes from tests: start, wait, kill -9."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env(database_url: str, var_dir: Path, **extra: str) -> dict:
    out = dict(os.environ)
    out.update({"ALUR_DATABASE_URL": database_url, "ALUR_VAR_DIR": str(var_dir), "ALUR_LOG_LEVEL": "INFO",
                "ALUR_WORKER_POLL_SECONDS": "0.05", "ALUR_HANDLER_MODULES": "workflows.handlers",
                "ALUR_SECRET_KEY": "test-secret"})
    out.update(extra)
    return out


def start_worker(database_url: str, var_dir: Path, *args: str, **extra: str) -> subprocess.Popen:
    """``alur worker`` in a process group of its own; its output goes to a file (a full pipe would block it)."""
    log = var_dir / f"worker-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "web.cli", "worker", *args], cwd=ROOT,
                                   env=env(database_url, var_dir, **extra), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    process.log_path = log
    return process


def output(process: subprocess.Popen, timeout: float = 600) -> str:
    """Wait for the process to end and return what it wrote."""
    process.wait(timeout=timeout)
    return process.log_path.read_text()


def kill(process: subprocess.Popen) -> None:
    """kill -9 the process and everything it started, and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def done_count(stderr: str) -> int:
    """What a worker reported having done when it stopped."""
    match = re.search(r"worker stopped.* done=(\d+)", stderr)
    assert match, stderr[-2000:]
    return int(match.group(1))
