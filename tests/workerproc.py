"""Running real worker (and server) processes from tests: start, wait, kill -9."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
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
    return subprocess.Popen([sys.executable, "-m", "web.cli", "worker", *args], cwd=ROOT,
                            env=env(database_url, var_dir, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(process: subprocess.Popen) -> tuple[str, str]:
    """kill -9 the process and everything it started, reap it, and return what it had written."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return process.communicate(timeout=30)


def done_count(stderr: str) -> int:
    """What a worker reported having done when it stopped."""
    match = re.search(r"worker stopped.* done=(\d+)", stderr)
    assert match, stderr[-2000:]
    return int(match.group(1))
