"""Throughput: a registration-like case driven whole through the HTTP API by concurrent clients, against
the production server set-up, versus the same diagram driven by raw SpiffWorkflow in one process.

    .venv/bin/python -m benchmarks.throughput                      # SQLite
    .venv/bin/python -m benchmarks.throughput --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Each case: start (penyedia), inbox, complete, inbox (verifikator), complete. The raw baseline does the same
steps with a JSON serialization round trip per step. Both rates and their ratio are printed, with the SQL
statements each request makes (counted in-process on the same database).
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import threading
import time
from urllib.parse import urlparse

from . import common


class Client:
    def __init__(self, base: str):
        parsed = urlparse(base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)

    def call(self, method: str, path: str, token: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)


def one_case(client: Client, supplier: str, verifier: str) -> None:
    case = client.call("POST", "/api/v1/process-instances", supplier,
                       {"process": common.PROCESS, "data": {"nama": "CV Maju"}})
    client.call("GET", f"/api/v1/tasks?process={common.PROCESS}", supplier)
    client.call("POST", f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", supplier, {"data": {"alamat": "Blitar"}})
    inbox = client.call("GET", f"/api/v1/tasks?process={common.PROCESS}&limit=500", verifier)
    task = next(t for t in inbox["items"] if t["instance_id"] == case["id"])
    done = client.call("POST", f"/api/v1/tasks/{task['id']}/complete", verifier, {"data": {"approved": True}})
    assert done["state"] == "completed", done


def drive(base: str, clients: int, seconds: float) -> tuple[float, int]:
    supplier, verifier = common.token(base, "bench_penyedia"), common.token(base, "bench_verifikator")
    counts = [0] * clients
    stop_at = time.perf_counter() + seconds
    errors: list[BaseException] = []

    def run(slot: int):
        client = Client(base)
        try:
            while time.perf_counter() < stop_at:
                one_case(client, supplier, verifier)
                counts[slot] += 1
        except BaseException as exc:  # noqa: BLE001 - reported after the run
            errors.append(exc)

    one_case(Client(base), supplier, verifier)  # warm every code path once
    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(counts) / elapsed, sum(counts)


def statements_per_request(url: str) -> dict[str, int]:
    """SQL statements (including BEGIN/COMMIT) each API request of one case makes, counted in-process."""
    from sqlalchemy import event

    from web.app import create_app

    app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    engine = app.extensions["alur_db"].engine
    counter = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        counter["n"] += 1

    @event.listens_for(engine, "commit")
    def _commit(*_args):
        counter["n"] += 1

    client = app.test_client()

    def token(user):
        return client.post("/api/v1/auth/token", json={"username": user, "password": common.PASSWORD}).get_json()["token"]

    s, v = {"Authorization": f"Bearer {token('bench_penyedia')}"}, {"Authorization": f"Bearer {token('bench_verifikator')}"}
    out = {}

    def measure(name, fn):
        counter["n"] = 0
        result = fn()
        out[name] = counter["n"]
        return result

    for _ in range(2):  # the second round is the steady state (spec cache warm)
        case = measure("start", lambda: client.post("/api/v1/process-instances", headers=s,
                                                    json={"process": common.PROCESS, "data": {}}).get_json())
        measure("inbox", lambda: client.get(f"/api/v1/tasks?process={common.PROCESS}", headers=s))
        measure("complete", lambda: client.post(f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", headers=s,
                                                json={"data": {}}))
        inbox = client.get(f"/api/v1/tasks?process={common.PROCESS}&limit=500", headers=v).get_json()
        task = next(t for t in inbox["items"] if t["instance_id"] == case["id"])
        client.post(f"/api/v1/tasks/{task['id']}/complete", headers=v, json={"data": {"approved": True}})
    app.extensions["alur_db"].dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is dropped); default SQLite")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    os.environ.setdefault("ALUR_LOG_LEVEL", "WARNING")

    load = os.getloadavg()[0]
    url = common.fresh_database(args.database_url)
    common.seed(url)
    statements = statements_per_request(url)
    with common.server(url, args.workers) as (base, pid):
        server_cpu = common.tree_cpu_seconds(pid)
        client_cpu = time.process_time()
        api_rate, api_cases = drive(base, args.clients, args.seconds)
        server_cpu = common.tree_cpu_seconds(pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    raw_cpu = time.process_time()
    raw_rate, raw_cases = common.raw_spiff_rate(args.seconds / 2)
    raw_cpu = time.process_time() - raw_cpu
    commits = common.commit_rate(url, args.clients, min(args.seconds / 4, 5.0))
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    cores = os.cpu_count()
    print(f"database            {backend}")
    print(f"machine             {cores} cores; load average before the run {load:.2f}")
    print(f"server              gunicorn, {args.workers} worker process(es) x 4 threads; {args.clients} clients")
    print(f"API                 {api_rate:8.1f} cases/s  ({api_cases} cases, 5 requests each)")
    print(f"raw SpiffWorkflow   {raw_rate:8.1f} cases/s  ({raw_cases} cases, one process, JSON round trip per step)")
    print(f"ratio API / raw     {api_rate / raw_rate:8.2f}   (goal >= 0.5; spiff-arena ~ 0.011)")
    print(f"CPU per case        server {1000 * server_cpu / api_cases:.1f} ms + HTTP clients "
          f"{1000 * client_cpu / api_cases:.1f} ms; raw {1000 * raw_cpu / raw_cases:.1f} ms")
    print(f"database commits    {commits:8.0f} /s from {args.clients} connections (one INSERT + COMMIT each); "
          f"a case commits 3 times: ceiling {commits / 3:.0f} cases/s")
    print("SQL per request     " + ", ".join(f"{k} {v}" for k, v in statements.items()) +
          "  (statements incl. BEGIN/COMMIT, auth included)")

if __name__ == "__main__":
    main()
