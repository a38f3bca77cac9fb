"""Serving Alur on gunicorn (a production WSGI server), with or without the worker beside it."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, overrides: dict | None):
        self.options = options
        self.overrides = overrides
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app(self.overrides)


def serve(host: str, port: int, workers: int, with_worker: bool, overrides: dict | None = None,
          threads: int = 1) -> None:
    workers = workers or multiprocessing.cpu_count()
    worker_process = None
    if with_worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], env=os.environ.copy())
    try:
        _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
                   "accesslog": "-", "timeout": 60, "graceful_timeout": 10, "keepalive": 5}, overrides).run()
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=15)
