"""Configuration: defaults in code, overridden by ``ALUR_``-prefixed environment variables.

Every key is documented in ``docs/configuration.md``; ``tests/test_docs.py`` fails when one is not.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("ALUR_VAR_DIR", ROOT / "var"))

DEFAULTS: dict[str, object] = {
    # Where Alur keeps its files (SQLite database, uploads, keys) unless told otherwise.
    "VAR_DIR": str(VAR),
    # SQLAlchemy URL of the database. SQLite by default; PostgreSQL in production.
    "DATABASE_URL": "",  # empty: sqlite:///<VAR_DIR>/alur.db
    # Signs session cookies and API tokens. Must be set in production.
    "SECRET_KEY": "dev-only-change-me",
    # Where `alur serve` listens.
    "HOST": "127.0.0.1",
    "PORT": 8000,
    # Gunicorn worker processes for `alur serve` (0 = one per CPU core).
    "WEB_WORKERS": 0,
    # Threads per gunicorn worker process (more threads: more slow clients served, but they share one CPU).
    "WEB_THREADS": 2,
    # Password of the demo accounts created by `alur dev` (development mode only).
    "DEMO_PASSWORD": "alur-demo-2026",
    # Seconds an inbox's counts per process are reused (0: counted on every request). This process's own
    # writes drop them at once; another process's change shows within this time.
    "INBOX_COUNTS_TTL": 5.0,
    # Lifetime of an API bearer token, in seconds.
    "TOKEN_TTL": 12 * 3600,
    # Largest BPMN upload accepted, in bytes, and deepest XML nesting.
    "MAX_BPMN_BYTES": 2 * 1024 * 1024,
    "MAX_XML_DEPTH": 64,
    # Most BPMN-namespace elements one uploaded file may hold (a large SOP has about 2,000).
    "MAX_BPMN_ELEMENTS": 10_000,
    # Largest uploaded document scan (PDF, JPEG, PNG), in bytes.
    "MAX_UPLOAD_BYTES": 5 * 1024 * 1024,
    # Python modules that register service-task handlers and forms at start-up.
    "HANDLER_MODULES": "workflows.handlers,forms",
    # Seconds the worker sleeps between polls when there is no due work.
    "WORKER_POLL_SECONDS": 1.0,
    # SQLite only: how long the single worker's lease lasts without renewal before another worker takes over.
    "WORKER_LEASE_SECONDS": 30.0,
    # Failed service tasks: automatic retries, first wait and longest wait (seconds), unless the element says.
    "SERVICE_RETRIES": 3,
    "SERVICE_BACKOFF_SECONDS": 30,
    "SERVICE_BACKOFF_MAX_SECONDS": 3600,
    # Long jobs: a job whose worker sent no progress for this many seconds is run again by another worker.
    "JOB_LEASE_SECONDS": 120.0,
    # /metrics: a bearer token for Prometheus scrapes (empty: only signed-in admin_sistem may read it).
    "METRICS_TOKEN": "",
    # Ed25519 private key that signs journal checkpoints (PEM; keep it off the database server). Empty: in
    # development, <VAR_DIR>/audit/checkpoint-ed25519.pem, created when absent. docs/audit.md.
    "AUDIT_KEY_PATH": "",
    # The worker signs a checkpoint of every journal chain this often, in seconds (0: only `alur audit checkpoint`).
    "AUDIT_CHECKPOINT_SECONDS": 3600,
    # Log level of the application loggers.
    "LOG_LEVEL": "INFO",
    # Time zone the pages show times in (the journal and the database keep UTC).
    "TIMEZONE": "Asia/Jakarta",
    # Send the session cookie only over HTTPS (set to 1 behind TLS in production).
    "SECURE_COOKIES": False,
    # Sign-in throttle: failures allowed per username (four times as many per client address) per window.
    "LOGIN_ATTEMPTS": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    # Where `npm ci` put the browser packages (bpmn-js, swagger-ui-dist) that Alur serves under /vendor/.
    "NODE_MODULES": str(ROOT / "node_modules"),
    # The letterhead of the documents the SOPs produce (dates on them use TIMEZONE).
    "LPSE_INSTANSI": "Pemerintah Kota Blitar",
    "LPSE_KOTA": "Blitar",
    # SOP (e): thresholds of the daily capacity check, and what it must be able to reach.
    "KAPASITAS_BATAS_CPU": 90.0,
    "KAPASITAS_BATAS_RAM": 90.0,
    "KAPASITAS_BATAS_DISK": 85.0,
    "KAPASITAS_BATAS_DB_MB": 10240.0,
    "KAPASITAS_TUJUAN_KONEKSI": "",
    "KAPASITAS_AKSES_LKPP": "",
    # SOP (f): where backups are written, and the scratch PostgreSQL database a backup is restored into.
    "BACKUP_DIR": "",
    "BACKUP_RESTORE_URL": "",
    # --- Webhooks and e-mail (docs/webhooks.md, docs/notifications.md) ---
    # Internal hosts, addresses or networks (CIDR) webhooks may call, comma-separated; everything else internal
    # (loopback, private, link-local, metadata) is refused.
    "WEBHOOK_ALLOW_HOSTS": "",
    # Seconds one webhook request or SMTP conversation may take.
    "DELIVERY_TIMEOUT_SECONDS": 10.0,
    # Deliveries one worker sends at the same time.
    "OUTBOX_CONCURRENCY": 8,
    # Outgoing mail: no host means mail is written to MAIL_DIR instead (development mode).
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",  # starttls, tls or none
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_FROM": "Alur LPSE <noreply@localhost>",
    "SMTP_CA_FILE": "",  # extra CA certificate(s) to trust for the SMTP server; empty: the system's
    "MAIL_DIR": "",  # empty: <VAR_DIR>/mail
    # Address of Alur as people reach it, for links in e-mails.
    "BASE_URL": "http://127.0.0.1:8000",
    # Notification templates shipped as files (a template edited in the app takes precedence).
    "NOTIFICATION_TEMPLATE_DIR": "",  # empty: workflows/notifications
    # The daily digest of task notifications goes out at this hour, in this time zone.
    "DIGEST_HOUR": 7,
    # The process self-registration starts (the registration SOP of workflows/bpmn).
    "REGISTRATION_PROCESS": "registrasi_pengguna",
}


def load(overrides: dict | None = None) -> dict:
    """Defaults, then ``ALUR_*`` environment variables, then explicit overrides (tests)."""
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"ALUR_{key}")
        if raw is None:
            continue
        config[key] = _coerce(raw, default)
    if overrides:
        config.update(overrides)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(str(config['VAR_DIR'])) / 'alur.db'}"
    return config


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
