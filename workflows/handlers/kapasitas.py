"""SOP (e), the daily check of performance and capacity (Pasal 21): the real host, read with psutil."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import psutil
from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.registry import HandlerContext, handler


def _partitions() -> list[dict]:
    seen, out = set(), []
    for part in psutil.disk_partitions(all=False):
        if part.mountpoint in seen:
            continue
        seen.add(part.mountpoint)
        try:
            usage = psutil.disk_usage(part.mountpoint)
        except (PermissionError, OSError):
            continue
        out.append({"mount": part.mountpoint, "fstype": part.fstype, "total": usage.total, "terpakai": usage.used,
                    "persen": usage.percent})
    return out


def ukuran_basis_data(session) -> int:
    """Bytes the database occupies: the SQLite file (with its WAL) or pg_database_size."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return int(session.scalar(text("SELECT pg_database_size(current_database())")))
    path = Path(make_url(str(bind.url)).database or "")
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _sambung(target: str, timeout: float) -> dict:
    host, _, port = target.rpartition(":")
    started = time.perf_counter()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            ok = True
    except (OSError, ValueError):
        ok = False
    return {"tujuan": target, "ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _daftar(value) -> list[str]:
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


@handler("kapasitas.ukur")
def ukur(ctx: HandlerContext) -> dict:
    """CPU, RAM, disk per partition, database size, network counters and connectivity, against the
    configured thresholds; ``kritis`` when anything is over or unreachable."""
    cfg = ctx.config
    memory = psutil.virtual_memory()
    net = psutil.net_io_counters()
    hasil = {
        "cpu_persen": psutil.cpu_percent(interval=0.2),
        "beban_1m": round(psutil.getloadavg()[0], 2),
        "ram_persen": memory.percent, "ram_total": memory.total,
        "disk": _partitions(),
        "basis_data_byte": ukuran_basis_data(ctx.session),
        "jaringan": {"terkirim": net.bytes_sent, "diterima": net.bytes_recv, "galat_masuk": net.errin,
                     "galat_keluar": net.errout, "hilang_masuk": net.dropin, "hilang_keluar": net.dropout},
        "konektivitas": [_sambung(t, 3.0) for t in _daftar(cfg.get("KAPASITAS_TUJUAN_KONEKSI"))],
        "akses_lkpp": [_sambung(t, 3.0) for t in _daftar(cfg.get("KAPASITAS_AKSES_LKPP"))],
    }
    melewati = []
    if hasil["cpu_persen"] > float(cfg.get("KAPASITAS_BATAS_CPU", 90)):
        melewati.append(f"CPU {hasil['cpu_persen']}%")
    if hasil["ram_persen"] > float(cfg.get("KAPASITAS_BATAS_RAM", 90)):
        melewati.append(f"RAM {hasil['ram_persen']}%")
    for part in hasil["disk"]:
        if part["persen"] > float(cfg.get("KAPASITAS_BATAS_DISK", 85)):
            melewati.append(f"disk {part['mount']} {part['persen']}%")
    if hasil["basis_data_byte"] > float(cfg.get("KAPASITAS_BATAS_DB_MB", 10240)) * 1024 * 1024:
        melewati.append(f"basis data {hasil['basis_data_byte'] // (1024 * 1024)} MB")
    for check in hasil["konektivitas"] + hasil["akses_lkpp"]:
        if not check["ok"]:
            melewati.append(f"tidak tersambung ke {check['tujuan']}")
    hasil["melewati"] = melewati
    hasil["kritis"] = bool(melewati)
    ctx.emit("kapasitas.diukur", cpu_persen=hasil["cpu_persen"], ram_persen=hasil["ram_persen"],
             disk_persen_maks=max((p["persen"] for p in hasil["disk"]), default=0),
             basis_data_byte=hasil["basis_data_byte"], terkirim=net.bytes_sent, diterima=net.bytes_recv,
             koneksi_gagal=sum(not c["ok"] for c in hasil["konektivitas"] + hasil["akses_lkpp"]),
             kritis=hasil["kritis"], melewati=melewati)
    return hasil
