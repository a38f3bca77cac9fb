"""Serving Alur on gunicorn (a production WSGI server), with or without the worker beside it."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger


class _MaskedLogger(Logger):
    """gunicorn's access and error logs with NIK/NPWP masked, as every other log line (a number in a URL)."""

    def setup(self, cfg):
        super().setup(cfg)
        from .logs import MaskPersonalNumbers

        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.addFilter(MaskPersonalNumbers())


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
    _metrics_dir(port, overrides)
    worker_process = None
    if with_worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], env=os.environ.copy())
    try:
        _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
                   "accesslog": "-", "logger_class": _MaskedLogger,
                   # gunicorn's longest request line: every query the API documents fits (a 414 would be HTML)
                   "limit_request_line": 8190, "timeout": 60, "graceful_timeout": 10, "keepalive": 5}, overrides).run()
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=15)


def _metrics_dir(port: int, overrides: dict | None) -> None:
    """Gunicorn's processes pool their request-latency histograms here (prometheus-client multiprocess mode).

    Set before any worker process imports prometheus-client; emptied at each start so that the numbers of
    an earlier run are not added in. An operator's own PROMETHEUS_MULTIPROC_DIR is respected.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from . import config as alur_config

    path = Path(str(alur_config.load(overrides)["VAR_DIR"])) / "prometheus" / str(port)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
