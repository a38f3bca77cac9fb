"""The quarterly report (Pasal 23(2), 15(1)c): the figures of a quarter compiled from the journal.

Every SOP journals the facts a report needs as domain events (``registration.approved``,
``tiket.status``, ``insiden.status``, ``kapasitas.diukur``, ``cadangan.dibuat`` ...), so the report
reads one table, within the quarter's bounds in local time.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.models import Instance, JournalEvent

JENIS = ("instance.started", "registration.approved", "registration.rejected", "account.deactivated",
         "tiket.status", "insiden.status", "dokumen.diterbitkan", "kapasitas.diukur", "cadangan.dibuat",
         "cadangan.gagal", "ruang_server.kunjungan", "pelatihan.selesai", "pengumuman.diterbitkan", "task.completed",
         "message.sent", "ruang.digunakan")


@dataclass(frozen=True)
class Triwulan:
    tahun: int
    ke: int  # 1..4

    @property
    def label(self) -> str:
        return f"Triwulan {('I', 'II', 'III', 'IV')[self.ke - 1]} {self.tahun}"

    @property
    def kode(self) -> str:
        return f"{self.tahun}-Q{self.ke}"

    def batas(self, zona: str) -> tuple[datetime, datetime]:
        tz = ZoneInfo(zona)
        awal = datetime.combine(date(self.tahun, 3 * self.ke - 2, 1), time(), tz)
        akhir = datetime.combine(date(self.tahun + (self.ke == 4), 1 if self.ke == 4 else 3 * self.ke + 1, 1),
                                 time(), tz)
        return awal, akhir

    @classmethod
    def dari_kode(cls, kode: str) -> "Triwulan":
        tahun, _, ke = kode.partition("-Q")
        if not (tahun.isdigit() and ke in ("1", "2", "3", "4")):
            raise ValueError(f"triwulan harus seperti 2026-Q4 / the quarter must look like 2026-Q4: {kode}")
        return cls(int(tahun), int(ke))

    @classmethod
    def sebelum(cls, moment: datetime) -> "Triwulan":
        """The quarter that ended before ``moment`` (a report due on 1 January covers October-December)."""
        ke = (moment.month - 1) // 3 + 1
        return cls(moment.year - 1, 4) if ke == 1 else cls(moment.year, ke - 1)


def susun(session, triwulan: Triwulan, zona: str) -> dict:
    awal, akhir = triwulan.batas(zona)
    rows = session.execute(
        select(JournalEvent.type, JournalEvent.element_id, JournalEvent.data, Instance.process_id)
        .join(Instance, Instance.id == JournalEvent.instance_id)
        .where(JournalEvent.at >= awal, JournalEvent.at < akhir, JournalEvent.type.in_(JENIS))
        .order_by(JournalEvent.id)).all()
    events = [(t, e, json.loads(d), p) for t, e, d, p in rows]
    return {
        "triwulan": triwulan.kode, "label": triwulan.label, "awal": awal.isoformat(), "akhir": akhir.isoformat(),
        "registrasi": _registrasi(events), "tiket": _tiket(events), "insiden": _insiden(events),
        "kapasitas": _kapasitas(events), "cadangan": _cadangan(events, awal, akhir),
        "ruang_server": sum(t == "ruang_server.kunjungan" for t, *_ in events),
        "ruang_penawaran": sum(t == "ruang.digunakan" for t, *_ in events),
        "pelatihan": {"jumlah": sum(t == "pelatihan.selesai" for t, *_ in events),
                      "peserta": sum(d.get("peserta_hadir", 0) for t, _, d, _p in events if t == "pelatihan.selesai")},
        "pengumuman": dict(Counter(d.get("jenis") for t, _, d, _p in events if t == "pengumuman.diterbitkan")),
        "masukan": _masukan(events),
        "eskalasi_lkpp": sum(t == "message.sent" and d.get("message") == "permohonan_lkpp"
                             for t, _, d, _p in events),
    }


def _registrasi(events) -> dict:
    baru = sum(t == "instance.started" and p == "registrasi_pengguna" for t, _, _d, p in events)
    alasan = Counter(d.get("alasan_kode") for t, _, d, _p in events if t == "registration.rejected")
    return {"baru": baru, "disetujui": sum(t == "registration.approved" for t, *_ in events),
            "ditolak": sum(alasan.values()), "alasan_penolakan": dict(alasan),
            "dinonaktifkan": sum(t == "account.deactivated" for t, *_ in events)}


def _tiket(events) -> dict:
    dibuka = [d for t, _, d, _p in events if t == "tiket.status" and d.get("status") == "dibuka"]
    selesai = [d for t, _, d, _p in events if t == "tiket.status" and d.get("status") == "selesai"]
    durasi = [d["durasi_jam"] for d in selesai if "durasi_jam" in d]
    return {"dibuka": len(dibuka), "selesai": len(selesai), "per_jenis": dict(Counter(d.get("jenis") for d in dibuka)),
            "per_prioritas": dict(Counter(d.get("prioritas") for d in dibuka)),
            "rata_rata_jam": round(mean(durasi), 2) if durasi else None}


def _insiden(events) -> dict:
    tercatat = [d for t, _, d, _p in events if t == "insiden.status" and d.get("status") == "tercatat"]
    dokumen = Counter(d.get("jenis") for t, _, d, _p in events if t == "dokumen.diterbitkan")
    return {"tercatat": len(tercatat),
            "selesai": sum(t == "insiden.status" and d.get("status") == "selesai" for t, _, d, _p in events),
            "per_jenis": dict(Counter(d.get("jenis") for d in tercatat)),
            "per_prioritas": dict(Counter(d.get("prioritas") for d in tercatat)),
            "ba_gangguan": dokumen.get("BA-GGN", 0), "ba_kesaksian": dokumen.get("BA-KES", 0)}


def _kapasitas(events) -> dict:
    ukur = [d for t, _, d, _p in events if t == "kapasitas.diukur"]
    return {"pemeriksaan": len(ukur), "kritis": sum(bool(d.get("kritis")) for d in ukur),
            "disk_maks": max((d.get("disk_persen_maks", 0) for d in ukur), default=None),
            "ram_rata_rata": round(mean(d.get("ram_persen", 0) for d in ukur), 1) if ukur else None,
            "basis_data_mb_akhir": round(ukur[-1]["basis_data_byte"] / 1048576, 1) if ukur else None,
            "koneksi_gagal": sum(d.get("koneksi_gagal", 0) for d in ukur)}


def _cadangan(events, awal: datetime, akhir: datetime) -> dict:
    berhasil = sum(t == "cadangan.dibuat" for t, *_ in events)
    diharapkan = max(1, (akhir - awal).days // 7)
    return {"berhasil": berhasil, "gagal": sum(t == "cadangan.gagal" for t, *_ in events), "diharapkan": diharapkan,
            "kepatuhan_persen": round(100 * min(berhasil, diharapkan) / diharapkan, 1)}


def _masukan(events) -> dict:
    nilai = [d["input"]["nilai"] for t, e, d, p in events
             if t == "task.completed" and p in ("tiket_layanan", "masukan_layanan") and "nilai" in d.get("input", {})]
    return {"jumlah": len(nilai), "rata_rata": round(mean(nilai), 2) if nilai else None}


def grafik(judul: str, nilai: dict, lebar: int = 460) -> dict:
    """Bars for a chart in the PDF: each label with its value and its length in pixels."""
    items = [(str(k), v) for k, v in nilai.items() if isinstance(v, (int, float))]
    terbesar = max((v for _, v in items), default=0) or 1
    return {"judul": judul, "lebar": lebar,
            "batang": [{"label": k, "nilai": v, "panjang": round((lebar - 170) * v / terbesar)} for k, v in items]}
