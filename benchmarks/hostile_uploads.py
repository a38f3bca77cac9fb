"""How fast each hostile upload is refused, and what it costs in memory: ``.venv/bin/python benchmarks/hostile_uploads.py``.

Goal (issue 6): every one refused in well under a second, the process's memory unchanged. The uploads are
the test suite's (tests/hostile_payloads.py), sent through the real application on a fresh SQLite database.
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile_payloads import payloads  # noqa: E402

from engine import clock, migrate  # noqa: E402
from engine.models import User  # noqa: E402
from engine.services.accounts import hash_password  # noqa: E402
from web.app import create_app  # noqa: E402


def _rss_mib() -> float:
    """Resident memory now (Linux), to see that no refusal leaves memory behind."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/alur.db"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "VAR_DIR": tmp, "LOG_LEVEL": "ERROR"})
        with app.extensions["alur_db"].unit_of_work() as session:
            session.add(User(username="analis", password_hash=hash_password("bench-password"), full_name="",
                             email=None, roles=["analis"], is_active=True, is_demo=True, token_generation=0,
                             created_at=clock.now()))
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "analis", "password": "bench-password"}).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        print(f"{'upload':28} {'bytes':>10} {'status':>6} {'ms':>8} {'RSS MiB':>12}")
        worst = 0.0
        cases = payloads("http://127.0.0.1:9", int(app.config["MAX_BPMN_BYTES"]))
        print(f"RSS before the first upload: {_rss_mib():.1f} MiB")
        for name, payload, _status, _needle in cases:
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.post("/api/v1/process-definitions", headers=headers,
                                       data={"file": (io.BytesIO(payload), "upload.bpmn")},
                                       content_type="multipart/form-data")
                runs.append((time.perf_counter() - started) * 1000)
                response.request.environ["wsgi.input"].close()
            best = sorted(runs)[len(runs) // 2]
            worst = max(worst, best)
            rss = _rss_mib()
            print(f"{name:28} {len(payload):>10} {response.status_code:>6} {best:>8.1f} {rss:>12.1f}")
        print(f"slowest refusal (median of 5, whole HTTP request): {worst:.1f} ms; goal: well under 1000 ms")
        assert client.get("/healthz").status_code == 200


if __name__ == "__main__":
    main()
