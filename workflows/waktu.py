"""Local time of the LPSE (WIB by default): what dates on documents and in reports are written in."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")


def lokal(moment: datetime, zona: str) -> datetime:
    return moment.astimezone(ZoneInfo(zona))


def tanggal_panjang(value: date | datetime) -> str:
    """``25 November 2026``, as Indonesian letters write a date."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def parse(value: str | datetime, zona: str) -> datetime:
    """An ISO date-time from a form; a value without an offset is read as local time."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zona))
    return moment


def hari_kerja_berikutnya(moment: datetime, hari: int = 1) -> datetime:
    """The same time ``hari`` working days (Monday to Friday) later."""
    current = moment
    remaining = hari
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
