"""Kill -9 the worker and the server at random moments while cases run, then check that nothing was lost.

Used by ``tests/test_crash.py`` (a short run in the suite) and ``tests/soak/crash_soak.py`` (hundreds of
kills). The load: a client completes tasks and starts cases over HTTP against a real gunicorn server;
a real worker process fires two short timers per case (with a service task between them) and starts a
scheduled process every second. Meanwhile one of the two processes is killed with SIGKILL at a
random moment, again and again, and started anew.

Afterwards every case must be complete and:
- every journal chain verifies and ends at the head its case records;
- no task is both open in the inbox and completed in the journal, and the inbox of every case is
  exactly the set of tasks its workflow state holds open (no step was half-written);
- every timer of every case fired exactly once, and its service task ran exactly once;
- the scheduled starts are exactly the occurrences 0..n-1 of the schedule: none twice, none skipped.
"""
from __future__ import annotations

import http.client
import json
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from engine import runtime
from engine.db import Database
from engine.journal import verify_instance
from engine.models import Instance, JournalEvent, Schedule, Task
from engine.models.instance import COMPLETED
from engine.services import definitions, schedules
from workerproc import ROOT, env, kill, start_worker

PROCESS, SCHEDULED = "uji_tahan_banting", "uji_tahan_banting_jadwal"
TIMERS = ("tunggu_1", "tunggu_2")


@dataclass
class Report:
    kills: Counter = field(default_factory=Counter)
    cases: int = 0
    scheduled: int = 0
    client_errors: int = 0
    problems: list[str] = field(default_factory=list)


class Server:
    """``alur serve`` on gunicorn with one web process, started in its own process group."""

    def __init__(self, database_url: str, var_dir: Path, port: int):
        self.database_url, self.var_dir, self.port = database_url, var_dir, port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1"], cwd=ROOT, env=env(self.database_url, self.var_dir, ALUR_LOG_LEVEL="WARNING"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def kill(self) -> None:
        if self.process is not None:
            kill(self.process)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError("the server did not come up")


class Client(threading.Thread):
    """Starts ``target`` cases and completes every open task, shrugging off a dead server."""

    def __init__(self, port: int, password: str, target: int):
        super().__init__(daemon=True)
        self.base = f"http://127.0.0.1:{port}"
        self.password, self.target = password, target
        self.started = 0
        self.errors = 0
        self.stop = threading.Event()
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.token is None:
                    self.token = self.call("POST", "/api/v1/auth/token",
                                           {"username": "admin_sistem", "password": self.password})["token"]
                if self.started < self.target:
                    self.call("POST", "/api/v1/process-instances", {"process": PROCESS, "data": {}})
                    self.started += 1
                for task in self.call("GET", "/api/v1/tasks?limit=20")["items"]:
                    self.call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": {"ok": True}})
            except urllib.error.HTTPError as exc:
                if exc.code not in (409,):  # a task completed by the request the server died in
                    self.errors += 1
                time.sleep(0.02)
            except (OSError, http.client.HTTPException, ValueError):
                self.errors += 1  # the server is down, or died in the middle of its answer
                time.sleep(0.05)
            else:
                time.sleep(0.02)


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def run(db: Database, database_url: str, var_dir: Path, password: str, *, kills: int, seed: int,
        cases: int = 30, port: int = 8181, settle: float = 180.0, log=lambda *_: None) -> Report:
    """Run the load, kill ``kills`` times, let everything finish, then check the invariants."""
    rng = random.Random(seed)
    report = Report()
    server = Server(database_url, var_dir, free_port(port))
    server.start()
    worker = start_worker(database_url, var_dir, ALUR_LOG_LEVEL="WARNING")
    server.wait_ready()
    client = Client(server.port, password, cases)
    client.start()
    try:
        for round_ in range(kills):
            time.sleep(rng.uniform(0.05, 0.8))
            if rng.random() < 0.7:
                kill(worker)
                report.kills["worker"] += 1
                worker = start_worker(database_url, var_dir, ALUR_LOG_LEVEL="WARNING")
            else:
                server.kill()
                report.kills["server"] += 1
                server.start()
                server.wait_ready()
            log(f"kill {round_ + 1}/{kills}: {dict(report.kills)}")
        deadline = time.monotonic() + settle
        while not _settled(db, cases):
            if time.monotonic() > deadline:
                report.problems.append(f"not every case finished within {settle:.0f} s after the last kill")
                break
            time.sleep(0.2)
    finally:
        client.stop.set()
        client.join(timeout=30)
        kill(worker)
        server.kill()
    report.client_errors = client.errors
    check(db, report)
    return report


def _settled(db: Database, cases: int) -> bool:
    with db.reader() as session:
        states = list(session.scalars(select(Instance.state).where(Instance.process_id == PROCESS)))
    return len(states) >= cases and all(s == COMPLETED for s in states)


def check(db: Database, report: Report) -> None:
    """The invariants of the module docstring; each violation is added to ``report.problems``."""
    problems = report.problems
    with db.reader() as session:
        rows = session.scalars(select(Instance).order_by(Instance.id)).all()
        for instance in rows:
            broken = verify_instance(session, instance.id, instance.journal_seq, instance.journal_head)
            if broken is not None:
                problems.append(f"case {instance.id}: journal broken at {broken.seq}: {broken.problem}")
            events = session.execute(select(JournalEvent.type, JournalEvent.element_id, JournalEvent.data)
                                     .where(JournalEvent.instance_id == instance.id)
                                     .order_by(JournalEvent.seq)).all()
            _check_tasks(session, instance, events, problems)
            if instance.process_id == PROCESS:
                report.cases += 1
                if instance.state != COMPLETED:
                    problems.append(f"case {instance.id} is {instance.state}, not completed")
                fired = Counter(e for t, _el, d in events if t == "timer.fired" for e in json.loads(d)["elements"])
                if instance.state == COMPLETED and fired != Counter({name: 1 for name in TIMERS}):
                    problems.append(f"case {instance.id}: timers fired {dict(fired)}")
                runs = sum(1 for t, el, _d in events if t == "service.run" and el == "catat")
                if instance.state == COMPLETED and runs != 1:
                    problems.append(f"case {instance.id}: service task ran {runs} times")
        _check_schedule(session, rows, report)


def _check_tasks(session, instance: Instance, events, problems: list[str]) -> None:
    completed = Counter(json.loads(d)["task_id"] for t, _el, d in events if t == "task.completed")
    for task_id, count in completed.items():
        if count > 1:
            problems.append(f"case {instance.id}: task {task_id} completed {count} times")
    open_rows = set(session.scalars(select(Task.id).where(Task.instance_id == instance.id, Task.state == "ready")))
    both = open_rows & set(completed)
    if both:
        problems.append(f"case {instance.id}: tasks open and completed at once: {sorted(both)}")
    bundle = definitions.bundle(session, instance.process_version_id, instance.process_id, instance.model_hash)
    workflow = runtime.load(bundle, instance.workflow, runtime.ExecContext(None, instance.id, instance.process_id,
                                                                          None, None, {}))
    in_state = {t.id for t in runtime.human_tasks(workflow, bundle)}
    if in_state != open_rows:
        problems.append(f"case {instance.id}: inbox {sorted(open_rows)} but workflow has {sorted(in_state)}")


def _check_schedule(session, rows: list[Instance], report: Report) -> None:
    schedule = session.scalars(select(Schedule).where(Schedule.process_id == SCHEDULED)).first()
    if schedule is None:
        report.problems.append("the scheduled process has no schedule")
        return
    rule = schedules.rule_of(schedule)
    started = []
    for instance in rows:
        if instance.process_id == SCHEDULED:
            data = session.scalar(select(JournalEvent.data).where(JournalEvent.instance_id == instance.id,
                                                                  JournalEvent.type == "instance.started"))
            started.append(json.loads(data)["after"]["scheduled_for"])
    expected = [rule.due(k).isoformat() for k in range(schedule.next_index)]
    report.scheduled = len(started)
    if sorted(started) != expected:
        twice = [s for s, n in Counter(started).items() if n > 1]
        missing = sorted(set(expected) - set(started))
        report.problems.append(f"scheduled starts: {len(started)} for {len(expected)} occurrences; "
                               f"twice {twice[:5]}, missing {missing[:5]}")
