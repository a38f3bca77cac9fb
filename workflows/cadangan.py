"""Backups for SOP (f) (Pasal 22(1)): the database and the uploaded files in one archive with a SHA-256
manifest, proved by restoring them into a scratch database and checking every file.

SQLite is copied with its online backup API (consistent while Alur runs); PostgreSQL with ``pg_dump``
in its custom format and restored with ``pg_restore`` into a scratch database (``BACKUP_RESTORE_URL``,
by default ``<database>_uji_pulih`` on the same server, created when missing).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

# Tables whose row counts must survive the round trip.
TABEL_UJI = ("instances", "journal", "tasks", "users", "documents", "process_versions")


@dataclass
class Hasil:
    arsip: Path
    sha256: str
    ukuran: int
    jumlah_berkas: int
    baris: dict[str, int]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def buat(database_url: str, berkas_dir: Path, tujuan_dir: Path, pada: datetime, restore_url: str = "") -> Hasil:
    """Write ``alur-<time>.tar.gz`` into ``tujuan_dir`` and prove it restores; raises on any failure."""
    url = make_url(database_url)
    tujuan_dir.mkdir(parents=True, exist_ok=True)
    nama = f"alur-{pada.strftime('%Y%m%dT%H%M%SZ')}"
    with tempfile.TemporaryDirectory(prefix=".cadangan-", dir=tujuan_dir) as kerja:
        staging = Path(kerja) / nama
        (staging / "berkas").mkdir(parents=True)
        if url.get_backend_name() == "sqlite":
            db_file = staging / "basis_data.sqlite"
            _salin_sqlite(url.database, db_file)
        else:
            db_file = staging / "basis_data.dump"
            _pg_dump(url, db_file)
        if berkas_dir.exists():
            shutil.copytree(berkas_dir, staging / "berkas", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".upload-*"))
        manifest = _manifest(staging)
        (staging / "MANIFEST.sha256").write_text("".join(f"{h}  {p}\n" for p, h in manifest))
        arsip = tujuan_dir / f"{nama}.tar.gz"
        sementara = tujuan_dir / f".{nama}.tar.gz.part"
        with tarfile.open(sementara, "w:gz") as tar:
            tar.add(staging, arcname=nama)
        os.replace(sementara, arsip)
        baris = uji_pemulihan(arsip, url, restore_url)
    return Hasil(arsip, sha256_file(arsip), arsip.stat().st_size, len(manifest) - 1, baris)


def _manifest(root: Path) -> list[tuple[str, str]]:
    return [(str(p.relative_to(root)), sha256_file(p)) for p in sorted(root.rglob("*")) if p.is_file()]


def _salin_sqlite(source: str, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_dump(url: URL, target: Path) -> None:
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={target}",
                    f"--dbname={_libpq(url)}"], check=True, capture_output=True, timeout=3600)


def uji_pemulihan(arsip: Path, url: URL, restore_url: str = "") -> dict[str, int]:
    """Unpack the archive, check every file against the manifest, restore the database and count rows."""
    with tempfile.TemporaryDirectory(prefix=".uji-pulih-") as kerja:
        with tarfile.open(arsip, "r:gz") as tar:
            tar.extractall(kerja, filter="data")
        root = next(Path(kerja).iterdir())
        for line in (root / "MANIFEST.sha256").read_text().splitlines():
            expected, relative = line.split("  ", 1)
            if sha256_file(root / relative) != expected:
                raise RuntimeError(f"berkas {relative} tidak sesuai manifest / does not match the manifest")
        if url.get_backend_name() == "sqlite":
            return _pulihkan_sqlite(root / "basis_data.sqlite", Path(kerja) / "pulih.sqlite")
        return _pulihkan_pg(root / "basis_data.dump", make_url(restore_url) if restore_url else
                            url.set(database=f"{url.database}_uji_pulih"), url)


def _pulihkan_sqlite(backup: Path, scratch: Path) -> dict[str, int]:
    shutil.copy(backup, scratch)
    conn = sqlite3.connect(scratch)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError("basis data hasil pemulihan rusak / the restored database is damaged")
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABEL_UJI}
    finally:
        conn.close()


def _pulihkan_pg(dump: Path, scratch: URL, source: URL) -> dict[str, int]:
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": scratch.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    finally:
        admin.dispose()
    target = create_engine(scratch, isolation_level="AUTOCOMMIT")
    try:
        with target.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        subprocess.run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", f"--dbname={_libpq(scratch)}",
                        str(dump)], check=True, capture_output=True, timeout=3600)
        with target.connect() as conn:
            return {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in TABEL_UJI}
    finally:
        target.dispose()
