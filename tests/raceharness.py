"""Two completions of one task sent at the same moment, round after round, over real HTTP.

Used by ``tests/test_concurrency.py`` (a few rounds in the suite) and ``tests/soak/concurrent_complete.py``
(1,000 rounds). Each round starts a case of ``uji_dua_lajur`` (tests/bpmn/two_lanes.bpmn), lets two
threads wait on one barrier and then POST ``/complete`` of its first task from two connections, and
checks the outcome: exactly one 200 and one 409 with a problem+json detail, never a 5xx, and a journal
that verifies and holds one ``task.completed``.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

PROCESS = "uji_dua_lajur"


@dataclass
class Tally:
    rounds: int = 0
    outcomes: Counter = field(default_factory=Counter)  # "200+409" -> rounds
    server_errors: int = 0  # responses with a 5xx status
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items()))
        return (f"{self.rounds} rounds in {self.seconds:.1f} s ({self.rounds / max(self.seconds, 1e-9):.1f}/s): "
                f"{outcomes}; 5xx responses: {self.server_errors}; problems: {len(self.problems)}")


def call(base: str, method: str, path: str, token: str | None = None, body: dict | None = None
         ) -> tuple[int, dict]:
    """One request on a connection of its own; the status and the JSON body ({} when there is none)."""
    parsed = urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw or b"{}")
        except ValueError:
            return response.status, {"raw": raw[:300].decode(errors="replace")}
    finally:
        connection.close()


def token(base: str, username: str, password: str) -> str:
    status, body = call(base, "POST", "/api/v1/auth/token", body={"username": username, "password": password})
    assert status == 200, (status, body)
    return body["token"]


def one_round(base: str, starter: str, auditor: str, number: int, tally: Tally) -> None:
    status, case = call(base, "POST", "/api/v1/process-instances", starter,
                        {"process": PROCESS, "data": {"ronde": number}})
    if status != 201:
        tally.server_errors += status >= 500
        tally.problems.append(f"round {number}: start gave {status} {case}")
        return
    task_id = case["tasks"][0]["id"]
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict]] = []

    def complete(value: str) -> None:
        barrier.wait()
        results.append(call(base, "POST", f"/api/v1/tasks/{task_id}/complete", starter,
                            {"data": {"pilihan": value}}))

    threads = [threading.Thread(target=complete, args=(v,)) for v in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(s for s, _ in results)
    tally.rounds += 1
    tally.outcomes["+".join(map(str, statuses))] += 1
    tally.server_errors += sum(1 for s in statuses if s >= 500)
    if statuses != [200, 409]:
        tally.problems.append(f"round {number}: {results}")
        return
    conflict = next(body for s, body in results if s == 409)
    if conflict.get("status") != 409 or not conflict.get("detail"):
        tally.problems.append(f"round {number}: the 409 is not problem+json: {conflict}")
    status, events = call(base, "GET", f"/api/v1/process-instances/{case['id']}/events", auditor)
    if status != 200 or not events.get("verified"):
        tally.problems.append(f"round {number}: journal of case {case['id']} does not verify ({status})")
    elif [e["type"] for e in events["items"]].count("task.completed") != 1:
        tally.problems.append(f"round {number}: case {case['id']} has "
                              f"{[e['type'] for e in events['items']].count('task.completed')} task.completed")


def run(base: str, password: str, rounds: int, progress=lambda *_: None) -> Tally:
    """``rounds`` rounds against the server at ``base`` (the demo users penyedia and auditor must exist)."""
    starter, auditor = token(base, "penyedia", password), token(base, "auditor", password)
    tally = Tally()
    began = time.monotonic()
    for number in range(rounds):
        one_round(base, starter, auditor, number, tally)
        if (number + 1) % 100 == 0:
            progress(f"{number + 1}/{rounds}: {dict(tally.outcomes)}")
    tally.seconds = time.monotonic() - began
    return tally
