"""A worker killed (SIGKILL) in the middle of a delivery: the message goes out again with the same
webhook-id once the lease runs out, from another worker process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from conftest import BPMN, HERE
from engine.models import DeliveryAttempt
from receivers import Receiver
from test_webhooks import rows, subscribe


def _worker(database_url: str, tmp_path) -> subprocess.Popen:
    env = dict(os.environ, ALUR_DATABASE_URL=database_url, ALUR_VAR_DIR=str(tmp_path),
               ALUR_WEBHOOK_ALLOW_HOSTS="127.0.0.1", ALUR_DELIVERY_TIMEOUT_SECONDS="1",
               ALUR_WORKER_POLL_SECONDS="0.1", ALUR_LOG_LEVEL="ERROR")
    with open(tmp_path / "worker.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=HERE.parent, env=env,
                                stdout=log, stderr=log)


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_delivery_redelivers_with_the_same_webhook_id(app, api, db, database_url, tmp_path):
    receiver = Receiver()
    receiver.hold = threading.Event()  # the receiver keeps the first request open
    receiver.start()
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    endpoint = subscribe(api, receiver.url, ["task.created"])
    api.deploy(BPMN / "two_lanes.bpmn")
    api.start("uji_dua_lajur")
    first = _worker(database_url, tmp_path)
    second = None
    try:
        assert receiver.got_one.wait(60), (tmp_path / "worker.log").read_text()
        os.kill(first.pid, signal.SIGKILL)  # mid-delivery: the request is out, no answer has come back
        first.wait(10)
        [row] = rows(db, endpoint_id=endpoint["id"])
        assert (row.state, row.attempts) == ("pending", 1)

        hold, receiver.hold = receiver.hold, None
        hold.set()
        second = _worker(database_url, tmp_path)
        assert _wait(lambda: rows(db, endpoint_id=endpoint["id"])[0].state == "delivered", 60), \
            (tmp_path / "worker.log").read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(15)
        receiver.stop()

    assert len(receiver.received) == 2
    before, after = receiver.received
    assert before.headers["webhook-id"] == after.headers["webhook-id"] == rows(db)[0].message_id
    assert before.body == after.body
    verifier = Webhook(endpoint["secret"])
    assert verifier.verify(before.body, before.headers) == verifier.verify(after.body, after.headers)
    with db.reader() as session:
        log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.attempt)).all()
    assert [(entry.attempt, entry.status) for entry in log] == [(1, None), (2, 200)]
    assert log[0].error.startswith("terputus")
