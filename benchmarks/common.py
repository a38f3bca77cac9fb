"""Shared set-up for the benchmarks: a fresh database, a running server, users, and the raw baseline."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIAGRAM = HERE / "registration_like.bpmn"
PROCESS = "bench_registrasi"
PASSWORD = "bench-password-1"


def fresh_database(url: str | None) -> str:
    """A migrated, empty database: a temporary SQLite file, or the given PostgreSQL database wiped."""
    from sqlalchemy import create_engine, text

    from engine import migrate

    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='alur-bench-')}/alur.db"
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    return url


def seed(url: str) -> None:
    """The benchmark diagram deployed and one account per lane."""
    from engine import registry
    from engine.db import Database
    from engine.principal import Principal
    from engine.services import accounts, definitions
    from web.config import load

    config = load({"DATABASE_URL": url})
    registry.load_modules(str(config["HANDLER_MODULES"]))
    db = Database(url)
    definitions.deploy(db, [(DIAGRAM.name, DIAGRAM.read_bytes())], Principal("bench", frozenset({"analis"})), config)
    for role in ("penyedia", "verifikator"):
        accounts.ensure_user(db, f"bench_{role}", PASSWORD, [role])
    db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(url: str, workers: int, port: int | None = None, env: dict | None = None):
    """`alur serve` (gunicorn) on the given database until the block ends."""
    port = port or free_port()
    env = {**os.environ, "ALUR_DATABASE_URL": url, "ALUR_LOG_LEVEL": "WARNING", "ALUR_SECRET_KEY": "bench",
           **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers",
                                str(workers)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def token(base: str, username: str) -> str:
    request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))["token"]


def raw_spiff_rate(seconds: float) -> tuple[float, int]:
    """The same diagram driven by SpiffWorkflow alone, in this process, with a JSON round trip per step."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec, subprocesses = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def one_case():
        workflow = BpmnWorkflow(spec, subprocesses)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for data in ({"nama": "CV Maju"}, {"approved": True}):
            workflow = serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
        assert workflow.completed

    cases, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        one_case()
        cases += 1
    return cases / (time.perf_counter() - started), cases


def commit_rate(url: str, clients: int, seconds: float) -> float:
    """The database's own rate of small write transactions (one INSERT and COMMIT each) from `clients`
    concurrent connections: the ceiling for any workload that must commit."""
    import threading

    from sqlalchemy import create_engine, text

    engine = create_engine(url, pool_size=clients, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    if url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_commit"))
        conn.execute(text("CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, body TEXT)"))
    counts = [0] * clients
    stop_at = time.perf_counter() + seconds

    def run(slot: int) -> None:
        with engine.connect() as conn:
            while time.perf_counter() < stop_at:
                conn.execute(text("INSERT INTO bench_commit (id, body) VALUES (:i, 'x')"),
                             {"i": slot * 10_000_000 + counts[slot]})
                conn.commit()
                counts[slot] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = sum(counts) / (time.perf_counter() - started)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_commit"))
    engine.dispose()
    return rate


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (the gunicorn workers)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total
