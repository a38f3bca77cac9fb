"""Service tasks of SOP (b), user service (Pasal 13, 15(1), 18): tickets, training and the bidding room."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from engine.models import Instance, Pelatihan, PemesananRuang, PesertaPelatihan
from engine.registry import HandlerContext, handler

from .. import dokumen, waktu


@handler("tiket.status")
def tiket_status(ctx: HandlerContext, status: str) -> dict:
    """Journal the ticket's state with its kind and priority; on closing, how long it took."""
    d = ctx.data
    fakta = {"status": status, "jenis": d.get("jenis"), "prioritas": d.get("prioritas"), "saluran": d.get("saluran")}
    if status == "selesai":
        mulai = ctx.session.scalar(select(Instance.started_at).where(Instance.id == ctx.instance_id))
        fakta["durasi_jam"] = round((ctx.now - mulai).total_seconds() / 3600, 2)
    ctx.emit("tiket.status", **fakta)
    return fakta


# --- training -------------------------------------------------------------------------------------

@handler("pelatihan.buka")
def buka_pelatihan(ctx: HandlerContext) -> dict:
    d = ctx.data
    zona = str(ctx.config.get("TIMEZONE", "Asia/Jakarta"))
    row = Pelatihan(instance_id=ctx.instance_id, judul=d["judul"], sasaran=d["sasaran"],
                    tanggal=date.fromisoformat(d["tanggal"]), tempat=d["tempat"], kuota=int(d["kuota"]),
                    batas_pendaftaran=waktu.parse(d["batas_pendaftaran"], zona), status="dibuka")
    ctx.session.add(row)
    ctx.session.flush()
    ctx.emit("pelatihan.dibuka", pelatihan_id=row.id, judul=row.judul, kuota=row.kuota)
    return {"id": row.id, "judul": row.judul}


@handler("pelatihan.daftar")
def daftar(ctx: HandlerContext, pelatihan_id: int, nama: str, email: str, instansi: str) -> dict:
    """Register a participant while seats remain and registration is open; the training row is locked so
    two registrations cannot both take the last seat."""
    query = select(Pelatihan).where(Pelatihan.id == pelatihan_id)
    if ctx.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    pelatihan = ctx.session.scalars(query).first()
    if pelatihan is None:
        return {"diterima": False, "alasan": "Pelatihan tidak ditemukan / Training not found"}
    if pelatihan.status != "dibuka" or ctx.now > pelatihan.batas_pendaftaran:
        return {"diterima": False, "alasan": "Pendaftaran sudah ditutup / Registration is closed"}
    terisi = ctx.session.scalar(select(func.count()).where(PesertaPelatihan.pelatihan_id == pelatihan_id))
    if terisi >= pelatihan.kuota:
        return {"diterima": False, "alasan": "Kuota penuh / No seats left"}
    sudah = ctx.session.scalar(select(PesertaPelatihan.id).where(PesertaPelatihan.pelatihan_id == pelatihan_id,
                                                                 PesertaPelatihan.email == email))
    if sudah is not None:
        return {"diterima": False, "alasan": "Email ini sudah terdaftar / This email is already registered"}
    ctx.session.add(PesertaPelatihan(pelatihan_id=pelatihan_id, nama=nama, email=email, instansi=instansi,
                                     username=ctx.actor or "", instance_id=ctx.instance_id, hadir=False,
                                     didaftarkan_pada=ctx.now))
    ctx.emit("pelatihan.pendaftar", pelatihan_id=pelatihan_id)
    return {"diterima": True, "judul": pelatihan.judul, "tanggal": pelatihan.tanggal.isoformat(),
            "tempat": pelatihan.tempat}


@handler("pelatihan.peserta")
def peserta(ctx: HandlerContext, pelatihan_id: int) -> list[dict]:
    """Close registration and list who registered, for the attendance list."""
    ctx.session.execute(update(Pelatihan).where(Pelatihan.id == pelatihan_id).values(status="ditutup"))
    rows = ctx.session.execute(select(PesertaPelatihan.id, PesertaPelatihan.nama, PesertaPelatihan.instansi)
                               .where(PesertaPelatihan.pelatihan_id == pelatihan_id)
                               .order_by(PesertaPelatihan.id)).all()
    return [{"id": r.id, "nama": r.nama, "instansi": r.instansi} for r in rows]


@handler("pelatihan.sertifikat")
def sertifikat(ctx: HandlerContext, pelatihan_id: int, hadir: list) -> list[dict]:
    """One numbered certificate (PDF) for each participant present."""
    pelatihan = ctx.session.get(Pelatihan, pelatihan_id)
    rows = ctx.session.scalars(select(PesertaPelatihan).where(PesertaPelatihan.pelatihan_id == pelatihan_id,
                                                              PesertaPelatihan.id.in_([int(h) for h in hadir]))
                               .order_by(PesertaPelatihan.id)).all()
    terbit = []
    for p in rows:
        fakta = dokumen.terbitkan(ctx, "SERT", "sertifikat.html", "sertifikat-pelatihan", peserta=p,
                                  pelatihan=pelatihan, pengajar=ctx.data.get("pengajar", ""))
        p.hadir, p.nomor_sertifikat = True, fakta["nomor"]
        terbit.append({"peserta_id": p.id, "nama": p.nama, "nomor": fakta["nomor"], "dokumen_id": fakta["dokumen_id"]})
    pelatihan.status = "selesai"
    ctx.session.flush()
    ctx.emit("pelatihan.selesai", pelatihan_id=pelatihan_id, peserta_hadir=len(terbit))
    return terbit


# --- bidding room ---------------------------------------------------------------------------------

RUANG = "bidding_room"


def _bentrok(session, tanggal: date, mulai: str, selesai: str) -> list[dict]:
    rows = session.execute(select(PemesananRuang.instance_id, PemesananRuang.mulai, PemesananRuang.selesai)
                           .where(PemesananRuang.ruang == RUANG, PemesananRuang.tanggal == tanggal,
                                  PemesananRuang.status == "dipesan", PemesananRuang.mulai < selesai,
                                  PemesananRuang.selesai > mulai)).all()
    return [{"kasus": r.instance_id, "mulai": r.mulai, "selesai": r.selesai} for r in rows]


@handler("ruang.periksa")
def periksa(ctx: HandlerContext, tanggal: str, jam_mulai: str, jam_selesai: str) -> dict:
    bentrok = _bentrok(ctx.session, date.fromisoformat(tanggal), jam_mulai, jam_selesai)
    return {"tersedia": not bentrok, "bentrok": bentrok}


@handler("ruang.pesan")
def pesan(ctx: HandlerContext, tanggal: str, jam_mulai: str, jam_selesai: str, pemesan: str) -> dict:
    """Hold the slot; checked again here, inside the approving step, against bookings made meanwhile."""
    hari = date.fromisoformat(tanggal)
    if _bentrok(ctx.session, hari, jam_mulai, jam_selesai):
        return {"dipesan": False}
    ctx.session.add(PemesananRuang(instance_id=ctx.instance_id, ruang=RUANG, tanggal=hari, mulai=jam_mulai,
                                   selesai=jam_selesai, pemesan=pemesan, status="dipesan", dibuat_pada=ctx.now))
    ctx.emit("ruang.dipesan", tanggal=tanggal, mulai=jam_mulai, selesai=jam_selesai)
    return {"dipesan": True}


@handler("ruang.selesai")
def selesai(ctx: HandlerContext) -> dict:
    d = ctx.data
    ctx.session.execute(update(PemesananRuang).where(PemesananRuang.instance_id == ctx.instance_id)
                        .values(status="selesai"))
    ctx.emit("ruang.digunakan", tanggal=d.get("tanggal"), masuk=d.get("jam_masuk"), keluar=d.get("jam_keluar"),
             perangkat=[p.get("nomor_seri") for p in d.get("perangkat_digunakan") or []])
    return {"status": "selesai"}
