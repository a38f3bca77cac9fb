"""Service tasks of SOP (a), registration and verification of SPSE users (Pasal 12, 17)."""
from __future__ import annotations

from sqlalchemy import or_, select, update

from engine.models import DaftarHitam, Document, IdentitasPengguna, Instance, User
from engine.registry import HandlerContext, handler
from engine.roles import EXTERNAL
from engine.services import accounts

from .. import dokumen
from ..registrasi import ALASAN_PENOLAKAN, label_alasan, persyaratan


@handler("registrasi.persyaratan")
def sampaikan_persyaratan(ctx: HandlerContext) -> dict:
    """Tell the applicant up front which documents to bring (12(2)b); the path follows who applies."""
    jenis = ctx.data.get("jenis_pemohon")
    if jenis == "pengguna":  # what the self-registration page (/daftar) says for a non-supplier
        jenis = "non_penyedia"
    if jenis is None:
        jenis = "penyedia" if ctx.role == "penyedia" else "non_penyedia" if ctx.role == "pengguna" else None
    if jenis not in ("penyedia", "non_penyedia"):
        raise ValueError("jenis_pemohon harus 'penyedia' atau 'non_penyedia' / "
                         "jenis_pemohon must be 'penyedia' or 'non_penyedia'")
    dokumen_wajib = persyaratan(jenis)
    ctx.emit("pemberitahuan", kepada=[ctx.actor], perihal="Persyaratan dokumen pendaftaran",
             pesan="Siapkan salinan dan bawa dokumen asli berikut: "
                   + "; ".join(d["nama"] for d in dokumen_wajib))
    return {"jenis_pemohon": jenis, "dokumen": dokumen_wajib, "pemohon": ctx.actor}


@handler("registrasi.formulir")
def formulir_terisi(ctx: HandlerContext) -> dict:
    """The registration and participation forms, pre-filled from the online form, to print and sign (17(4))."""
    data = ctx.data
    jenis = data["persyaratan"]["jenis_pemohon"]
    return dokumen.terbitkan(ctx, None, "formulir_pendaftaran.html", "formulir-pendaftaran",
                             jenis=jenis, d=_tanpa_rahasia(data), dokumen_wajib=data["persyaratan"]["dokumen"])


def _tanpa_rahasia(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "kata_sandi_hash"}


@handler("registrasi.periksa_identitas")
def periksa_identitas(ctx: HandlerContext, nama_pengguna: str, nib: str | None = None,
                      npwp: str | None = None) -> dict:
    """Blacklist, duplicate NIB/NPWP and taken User ID: what stops a registration before verification."""
    session = ctx.session
    hitam = []
    if nib or npwp:
        clauses = [c for c in (DaftarHitam.npwp == npwp if npwp else None, DaftarHitam.nib == nib if nib else None)
                   if c is not None]
        today = ctx.now.date()
        hitam = session.execute(select(DaftarHitam.nama, DaftarHitam.dasar).where(
            or_(*clauses), or_(DaftarHitam.sampai.is_(None), DaftarHitam.sampai >= today))).all()
    duplikat = []
    if nib or npwp:
        clauses = [c for c in (IdentitasPengguna.npwp == npwp if npwp else None,
                               IdentitasPengguna.nib == nib if nib else None) if c is not None]
        duplikat = session.scalars(select(IdentitasPengguna.username).where(or_(*clauses))).all()
    terpakai = (session.scalar(select(User.id).where(User.username == nama_pengguna)) is not None
                and _akun_pemohon(ctx, nama_pengguna) is None)
    alasan_kode, uraian = None, ""
    if hitam:
        alasan_kode, uraian = "daftar_hitam", "; ".join(f"{n} ({d})" for n, d in hitam)
    elif duplikat:
        alasan_kode, uraian = "sudah_terdaftar", "Terdaftar atas User ID " + ", ".join(duplikat)
    elif terpakai:
        alasan_kode, uraian = "user_id_terpakai", f"User ID {nama_pengguna} sudah dipakai; daftar dengan User ID lain"
    return {"terhalang": alasan_kode is not None, "alasan_kode": alasan_kode, "uraian": uraian,
            "daftar_hitam": bool(hitam), "duplikat": list(duplikat), "user_id_terpakai": terpakai}


@handler("registrasi.setujui")
def setujui(ctx: HandlerContext) -> dict:
    """Create the verified user's account with the password chosen at registration; file the identity."""
    data = ctx.data
    jenis = data["persyaratan"]["jenis_pemohon"]
    role = "penyedia" if jenis == "penyedia" else "pengguna"
    nama = data.get("nama_perusahaan") or data.get("nama_lengkap", "")
    kata_sandi_hash = data.pop("kata_sandi_hash")
    user = _akun_pemohon(ctx, data["nama_pengguna"])
    if user is None:
        user = accounts.create_user(ctx.session, data["nama_pengguna"], _placeholder(), [role], full_name=nama,
                                    email=data.get("email"))
        ctx.emit("account.created", username=user.username, roles=[role])
    else:  # the applicant's own account from /daftar: verified now, with the role and password of the form
        user.roles, user.full_name, user.email = [role], nama, data.get("email") or user.email
        ctx.emit("account.verified", username=user.username, roles=[role])
    ctx.session.execute(update(User).where(User.id == user.id).values(password_hash=kata_sandi_hash))
    ctx.session.add(IdentitasPengguna(username=user.username, jenis=jenis, nama=nama, nib=data.get("nib"),
                                      npwp=data.get("npwp"), aktif=True, instance_id=ctx.instance_id,
                                      dibuat_pada=ctx.now))
    ctx.session.flush()
    data["status"] = "disetujui"  # what "my requests" shows the applicant
    ctx.emit("registration.approved", username=user.username, jenis=jenis, role=role, nama=nama)
    return {"username": user.username, "role": role, "nama": nama}


def _akun_pemohon(ctx: HandlerContext, username: str) -> User | None:
    """The applicant's own account, made by the self-registration page before the SOP started: the case's
    initiator registering under their own User ID, with an applicant's role and no verified identity yet.
    Anyone else's existing account is a taken User ID."""
    started_by = ctx.session.scalar(select(Instance.started_by).where(Instance.id == ctx.instance_id))
    if username != started_by:
        return None
    user = ctx.session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.is_active or not set(user.roles) <= EXTERNAL:
        return None
    verified = ctx.session.scalar(select(IdentitasPengguna.username).where(IdentitasPengguna.username == username))
    return None if verified else user


def _placeholder() -> str:
    import secrets

    return secrets.token_urlsafe(24)


@handler("registrasi.tolak")
def tolak(ctx: HandlerContext, alasan_kode: str, alasan: str = "") -> dict:
    """Record the refusal with its reason from the fixed list plus free text (12(4))."""
    if alasan_kode not in ALASAN_PENOLAKAN:
        raise ValueError(f"alasan penolakan tidak dikenal / unknown refusal reason: {alasan_kode}")
    ctx.data.pop("kata_sandi_hash", None)
    label = label_alasan(alasan_kode)
    pesan = f"Pendaftaran Anda ditolak. Alasan: {label}." + (f" {alasan}" if alasan else "")
    ctx.data["status"] = "ditolak"  # what "my requests" shows the applicant, with the reason
    ctx.data["alasan_penolakan"] = f"{label}." + (f" {alasan}" if alasan else "")
    ctx.emit("registration.rejected", alasan_kode=alasan_kode, alasan_label=label, alasan=alasan,
             nama_pengguna=ctx.data.get("nama_pengguna"))
    return {"alasan_kode": alasan_kode, "alasan_label": label, "alasan": alasan, "pesan": pesan}


@handler("registrasi.arsip")
def catat_arsip(ctx: HandlerContext, nomor_berkas: str, lokasi_fisik: str) -> dict:
    """The archive entry of the applicant's documents (12(2)d): each file with its SHA-256, and where the
    signed paper forms are kept."""
    rows = ctx.session.execute(select(Document.id, Document.filename, Document.sha256)
                               .where(Document.instance_id == ctx.instance_id).order_by(Document.uploaded_at)).all()
    berkas = [{"id": r.id, "nama_berkas": r.filename, "sha256": r.sha256} for r in rows]
    ctx.emit("arsip.dicatat", nomor_berkas=nomor_berkas, lokasi_fisik=lokasi_fisik, berkas=berkas)
    return {"nomor_berkas": nomor_berkas, "lokasi_fisik": lokasi_fisik, "jumlah_berkas": len(berkas)}
