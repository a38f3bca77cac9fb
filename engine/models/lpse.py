"""The LPSE's own records that the SOP diagrams write through their service tasks.

Cases keep their facts in the journal; these tables hold what other cases and pages must find again:
official numbers, registered identities and the blacklist, trainings and their
participants, and bidding-room bookings.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime


class NomorSurat(Base):
    """The last official number issued per kind of document and year: 001/BA-KES/LPSE/XI/2026."""

    __tablename__ = "nomor_surat"

    jenis: Mapped[str] = mapped_column(String(32), primary_key=True)
    tahun: Mapped[int] = mapped_column(Integer, primary_key=True)
    terakhir: Mapped[int] = mapped_column(Integer)


class IdentitasPengguna(Base):
    """A verified SPSE user: its User ID and the numbers a second registration must not reuse."""

    __tablename__ = "identitas_pengguna"
    __table_args__ = (Index("ix_identitas_nib", "nib"), Index("ix_identitas_npwp", "npwp"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    jenis: Mapped[str] = mapped_column(String(16))  # penyedia or non_penyedia
    nama: Mapped[str] = mapped_column(String(200))
    nib: Mapped[str | None] = mapped_column(String(13))
    npwp: Mapped[str | None] = mapped_column(String(16))
    aktif: Mapped[bool] = mapped_column(Boolean, default=True)
    instance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("instances.id"))
    dibuat_pada: Mapped[datetime] = mapped_column(UTCDateTime)


class DaftarHitam(Base):
    """A blacklisted supplier, by NPWP and/or NIB (mirrors the national list the LPSE checks)."""

    __tablename__ = "daftar_hitam"
    __table_args__ = (Index("ix_daftar_hitam_npwp", "npwp"), Index("ix_daftar_hitam_nib", "nib"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    nama: Mapped[str] = mapped_column(String(200))
    npwp: Mapped[str | None] = mapped_column(String(16))
    nib: Mapped[str | None] = mapped_column(String(13))
    dasar: Mapped[str] = mapped_column(Text)  # the decision (SK) that put it on the list
    sejak: Mapped[date] = mapped_column(Date)
    sampai: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("instances.id"))
    dicatat_pada: Mapped[datetime] = mapped_column(UTCDateTime)


class Pelatihan(Base):
    """A scheduled training session (Pasal 13(2)d), run by one case."""

    __tablename__ = "pelatihan"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("instances.id"), unique=True)
    judul: Mapped[str] = mapped_column(String(200))
    sasaran: Mapped[str] = mapped_column(String(16))
    tanggal: Mapped[date] = mapped_column(Date)
    tempat: Mapped[str] = mapped_column(String(200))
    kuota: Mapped[int] = mapped_column(Integer)
    batas_pendaftaran: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # dibuka, ditutup, selesai


class PesertaPelatihan(Base):
    __tablename__ = "peserta_pelatihan"
    __table_args__ = (UniqueConstraint("pelatihan_id", "email"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pelatihan_id: Mapped[int] = mapped_column(BigId, ForeignKey("pelatihan.id"))
    nama: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    instansi: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("instances.id"))
    hadir: Mapped[bool] = mapped_column(Boolean, default=False)
    nomor_sertifikat: Mapped[str | None] = mapped_column(String(64))
    didaftarkan_pada: Mapped[datetime] = mapped_column(UTCDateTime)


class PemesananRuang(Base):
    """A booking of the bidding room (Pasal 18a)."""

    __tablename__ = "pemesanan_ruang"
    __table_args__ = (Index("ix_pemesanan_ruang_tanggal", "ruang", "tanggal"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("instances.id"), unique=True)
    ruang: Mapped[str] = mapped_column(String(64))
    tanggal: Mapped[date] = mapped_column(Date)
    mulai: Mapped[str] = mapped_column(String(5))  # HH:MM, local time of the LPSE
    selesai: Mapped[str] = mapped_column(String(5))
    pemesan: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # dipesan, dibatalkan, selesai
    dibuat_pada: Mapped[datetime] = mapped_column(UTCDateTime)
