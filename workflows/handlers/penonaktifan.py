"""Service tasks of the deactivation procedure (Pasal 12(5)) and of the letters to LKPP (15(2)b)."""
from __future__ import annotations

from sqlalchemy import select, update

from engine.models import DaftarHitam, IdentitasPengguna, User
from engine.registry import HandlerContext, handler
from engine.services import accounts

from .. import dokumen


@handler("penonaktifan.periksa_akun")
def periksa_akun(ctx: HandlerContext, username: str) -> dict:
    """Whether the reported User ID exists and is active, and who complained (to answer them later)."""
    row = ctx.session.execute(select(User.username, User.is_active, User.roles)
                              .where(User.username == username)).first()
    return {"username": username, "ada": row is not None, "aktif": bool(row and row.is_active),
            "peran": list(row.roles) if row else [], "pelapor": ctx.actor}


@handler("penonaktifan.nonaktifkan")
def nonaktifkan(ctx: HandlerContext, username: str, jenis: str, dasar: str = "") -> dict:
    """The account can no longer sign in and its tokens stop working; a blacklist request also lists the
    supplier's NPWP/NIB so that a new registration with them is refused."""
    accounts.deactivate(ctx.session, username)
    identitas = ctx.session.scalars(select(IdentitasPengguna).where(IdentitasPengguna.username == username)).first()
    ctx.session.execute(update(IdentitasPengguna).where(IdentitasPengguna.username == username).values(aktif=False))
    dicatat = False
    if jenis == "daftar_hitam":
        ctx.session.add(DaftarHitam(nama=identitas.nama if identitas else username,
                                    npwp=identitas.npwp if identitas else None,
                                    nib=identitas.nib if identitas else None, dasar=dasar or "-",
                                    sejak=ctx.now.date(), sampai=None, instance_id=ctx.instance_id,
                                    dicatat_pada=ctx.now))
        dicatat = True
    ctx.session.flush()
    ctx.emit("account.deactivated", username=username, jenis=jenis, daftar_hitam=dicatat)
    return {"username": username, "nonaktif": True, "daftar_hitam": dicatat}


@handler("lkpp.surat")
def surat_lkpp(ctx: HandlerContext, jenis: str, perihal: str, uraian: str, lampiran=None) -> dict:
    """A numbered letter from the head of the LPSE to LKPP (proposal or report of a problem), as a PDF."""
    if jenis not in ("USUL-NA", "SRT-LKPP"):
        raise ValueError(f"jenis surat LKPP tidak dikenal / unknown kind of letter: {jenis}")
    lampiran = [lampiran] if isinstance(lampiran, str) else list(lampiran or [])
    return dokumen.terbitkan(ctx, jenis, "surat_lkpp.html", "surat-lkpp", perihal=perihal, uraian=uraian,
                             lampiran=lampiran)
