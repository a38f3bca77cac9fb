"""Kill -9 the worker and the server at random moments while cases run and webhooks go out, then check
that nothing was lost.

Used by ``tests/test_crash.py`` (a short run in the suite) and ``tests/soak/crash_soak.py`` (hundreds of
kills). The load: a client completes tasks and starts cases over HTTP against a real gunicorn server;
a real worker process fires two short timers per case (with a service task between them), starts a
scheduled process every second and delivers every public event to a webhook endpoint subscribed to
``*`` (a real, slightly slow receiver on loopback). Meanwhile one of the two processes is killed with
SIGKILL at a random moment, again and again, and started anew: the server while the client's requests
run (a step), the worker while it fires timers, runs service tasks and sends deliveries.

Afterwards every case must be complete and:
- every journal chain verifies and ends at the head its case records;
- no task is both open in the inbox and completed in the journal, and the inbox of every case is
  exactly the set of tasks its workflow state holds open (no step was half-written);
- every completion the server acknowledged (200) is in the journal, once, and its task is closed;
  every case whose start was acknowledged (201) exists;
- every journaled public event has its outbox row for the endpoint (and no row lacks its event), every
  row was delivered, and the receiver got each one (same ``webhook-id``, same body on a redelivery);
- every timer of every case fired exactly once, and its service task ran exactly once;
- the scheduled starts are exactly the occurrences 0..n-1 of the schedule: none twice, none skipped.
"""
from __future__ import annotations

import http.client
import json
import random
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
from engine.models import Instance, JournalEvent, OutboxMessage, Schedule, Task
from engine.models.instance import COMPLETED
from engine.models.outbox import DELIVERED
from engine.services import definitions, schedules
from receivers import Receiver, free_port
from webhooks import events as public_events
from workerproc import ROOT, env, kill, start_worker

PROCESS, SCHEDULED = "uji_tahan_banting", "uji_tahan_banting_jadwal"
TIMERS = ("tunggu_1", "tunggu_2")


@dataclass
class Report:
    kills: Counter = field(default_factory=Counter)
    cases: int = 0
    scheduled: int = 0
    client_errors: int = 0
    mid_request: int = 0  # server kills while a client request was open
    mid_delivery: int = 0  # worker kills while the receiver held a delivery
    acknowledged: int = 0  # completions answered 200
    events: int = 0  # journaled public events checked against the outbox
    deliveries: int = 0  # webhook requests the receiver got (redeliveries included)
    problems: list[str] = field(default_factory=list)


class Server:
    """``alur serve`` on gunicorn (``workers`` web processes), started in its own process group.

    Its output goes to ``log`` (appended to across restarts), or nowhere.
    """

    def __init__(self, database_url: str, var_dir: Path, port: int, *, workers: int = 1, log: Path | None = None,
                 **extra_env: str):
        self.database_url, self.var_dir, self.port = database_url, var_dir, port
        self.workers, self.log, self.extra_env = workers, log, extra_env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers)], cwd=ROOT,
                env=env(self.database_url, self.var_dir, **{"ALUR_LOG_LEVEL": "WARNING", **self.extra_env}),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if self.log:
                out.close()

    def stop(self) -> None:
        """SIGTERM, and wait: gunicorn's graceful shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

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
        self.busy = False  # a request is open
        self.completed: list[str] = []  # task ids whose completion the server acknowledged
        self.cases: list[int] = []  # instance ids whose start the server acknowledged

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        self.busy = True
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        finally:
            self.busy = False

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.token is None:
                    self.token = self.call("POST", "/api/v1/auth/token",
                                           {"username": "admin_sistem", "password": self.password})["token"]
                if self.started < self.target:
                    self.cases.append(self.call("POST", "/api/v1/process-instances",
                                                {"process": PROCESS, "data": {}})["id"])
                    self.started += 1
                for task in self.call("GET", "/api/v1/tasks?limit=20")["items"]:
                    self.call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": {"ok": True}})
                    self.completed.append(task["id"])
            except urllib.error.HTTPError as exc:
                if exc.code not in (409,):  # a task completed by the request the server died in
                    self.errors += 1
                time.sleep(0.02)
            except (OSError, http.client.HTTPException, ValueError):
                self.errors += 1  # the server is down, or died in the middle of its answer
                time.sleep(0.05)
            else:
                time.sleep(0.02)


# The worker's deliveries: to loopback, with a short timeout so a killed send's lease (3 x + 5 s) runs out soon.
_WORKER_ENV = {"ALUR_LOG_LEVEL": "WARNING", "ALUR_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
               "ALUR_DELIVERY_TIMEOUT_SECONDS": "1"}


def run(db: Database, database_url: str, var_dir: Path, password: str, *, kills: int, seed: int,
        cases: int = 30, settle: float = 180.0, log=lambda *_: None) -> Report:
    """Run the load, kill ``kills`` times, let everything finish, then check the invariants."""
    rng = random.Random(seed)
    report = Report()
    receiver = Receiver().start()
    receiver.delay = 0.05  # a delivery lasts long enough for a kill to land in it
    server = Server(database_url, var_dir, free_port(), **_WORKER_ENV)
    server.start()
    worker = None
    client = Client(server.port, password, cases)
    try:
        server.wait_ready()
        endpoint = _subscribe(client, receiver.url)
        worker = start_worker(database_url, var_dir, **_WORKER_ENV)
        client.start()
        for round_ in range(kills):
            time.sleep(rng.uniform(0.05, 0.8))
            if rng.random() < 0.7:
                report.mid_delivery += receiver.inflight > 0
                kill(worker)
                report.kills["worker"] += 1
                worker = start_worker(database_url, var_dir, **_WORKER_ENV)
            else:
                report.mid_request += client.busy
                server.kill()
                report.kills["server"] += 1
                server.start()
                server.wait_ready()
            log(f"kill {round_ + 1}/{kills}: {dict(report.kills)}")
        deadline = time.monotonic() + settle
        while not _settled(db, cases, endpoint):
            if time.monotonic() > deadline:
                report.problems.append(f"not every case finished and every delivery went out within "
                                       f"{settle:.0f} s after the last kill: {_pending(db, endpoint)}")
                break
            time.sleep(0.2)
    finally:
        client.stop.set()
        if client.is_alive():
            client.join(timeout=30)
        if worker is not None:
            kill(worker)
        server.kill()
        receiver.stop()
    report.client_errors = client.errors
    check(db, report)
    _check_acknowledged(db, client, report)
    _check_outbox(db, endpoint, receiver, report)
    return report


def _subscribe(client: Client, url: str) -> int:
    client.token = client.call("POST", "/api/v1/auth/token",
                               {"username": "admin_sistem", "password": client.password})["token"]
    return client.call("POST", "/api/v1/webhooks", {"url": url, "events": ["*"]})["id"]


def _settled(db: Database, cases: int, endpoint: int) -> bool:
    with db.reader() as session:
        states = list(session.scalars(select(Instance.state).where(Instance.process_id == PROCESS)))
        undelivered = session.scalar(select(OutboxMessage.id).where(OutboxMessage.endpoint_id == endpoint,
                                                                    OutboxMessage.state != DELIVERED).limit(1))
    return len(states) >= cases and all(s == COMPLETED for s in states) and undelivered is None


def _pending(db: Database, endpoint: int) -> str:
    with db.reader() as session:
        cases = Counter(session.scalars(select(Instance.state).where(Instance.process_id == PROCESS)))
        outbox = Counter(session.scalars(select(OutboxMessage.state).where(OutboxMessage.endpoint_id == endpoint)))
        errors = Counter(session.scalars(select(OutboxMessage.last_error).where(
            OutboxMessage.endpoint_id == endpoint, OutboxMessage.state != DELIVERED)))
    return f"cases {dict(cases)}, deliveries {dict(outbox)}, errors {dict(errors.most_common(3))}"


def _check_acknowledged(db: Database, client: Client, report: Report) -> None:
    """What the server answered 200/201 to is there: a lost acknowledged write is the worst failure."""
    report.acknowledged = len(client.completed)
    with db.reader() as session:
        journaled = Counter(json.loads(d)["task_id"] for d in session.scalars(
            select(JournalEvent.data).where(JournalEvent.type == "task.completed")))
        states = dict(session.execute(select(Task.id, Task.state)).all())
        known = set(session.scalars(select(Instance.id)))
    for task_id in client.completed:
        if journaled[task_id] != 1:
            report.problems.append(f"acknowledged completion of task {task_id} is journaled "
                                   f"{journaled[task_id]} times")
        if states.get(task_id) == "ready":
            report.problems.append(f"acknowledged completion of task {task_id}, but the task is still open")
    lost = [i for i in client.cases if i not in known]
    if lost:
        report.problems.append(f"acknowledged starts lost: cases {lost[:10]}")


def _check_outbox(db: Database, endpoint: int, receiver: Receiver, report: Report) -> None:
    """Every public event in the journal has exactly its outbox row, delivered, and the receiver got it."""
    with db.reader() as session:
        expected = {f"msg_{h[:32]}": t for t, h in session.execute(select(JournalEvent.type, JournalEvent.hash))
                    if public_events.public_type(t) is not None}
        rows = {m: s for m, s in session.execute(select(OutboxMessage.message_id, OutboxMessage.state)
                                                 .where(OutboxMessage.endpoint_id == endpoint))}
    report.events, report.deliveries = len(expected), len(receiver.received)
    missing = sorted(set(expected) - set(rows))
    if missing:
        report.problems.append(f"{len(missing)} journaled events have no outbox row, e.g. "
                               f"{[(m, expected[m]) for m in missing[:5]]}")
    orphans = sorted(set(rows) - set(expected))
    if orphans:
        report.problems.append(f"{len(orphans)} outbox rows have no journal event, e.g. {orphans[:5]}")
    undelivered = [m for m, state in rows.items() if state != DELIVERED]
    if undelivered:
        report.problems.append(f"{len(undelivered)} outbox rows not delivered, e.g. {undelivered[:5]}")
    bodies: dict[str, set[bytes]] = {}
    for item in receiver.received:
        bodies.setdefault(item.headers.get("webhook-id", ""), set()).add(item.body)
    unheard = sorted(set(rows) - set(bodies))
    if unheard:
        report.problems.append(f"{len(unheard)} messages never reached the receiver, e.g. {unheard[:5]}")
    changed = [m for m, b in bodies.items() if len(b) > 1]
    if changed:
        report.problems.append(f"{len(changed)} redelivered messages changed their body, e.g. {changed[:5]}")


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
