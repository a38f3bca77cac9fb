"""Storing and serving uploaded document scans.

Only PDF, JPEG and PNG up to the configured size (5 MB by default) are accepted, the type judged from the
content and not from the name. Bytes are stored under ``VAR_DIR/documents`` by their SHA-256, written to a
temporary file and renamed, so a crash never leaves half a file under a real name.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update

from .. import clock
from ..db import Database
from ..errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from ..models import Document, Instance
from ..principal import Principal

_SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
               (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


@dataclass(frozen=True)
class DocumentView:
    id: str
    sha256: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    instance_id: int | None


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in _SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def _safe_name(filename: str, extension: str) -> str:
    base = Path(filename or "dokumen").name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")[:120] or "dokumen"
    if not base.lower().endswith(extension) and not (extension == ".jpg" and base.lower().endswith(".jpeg")):
        base += extension
    return base


def root(config: dict) -> Path:
    return Path(str(config["VAR_DIR"])) / "documents"


def _path(config: dict, sha256: str) -> Path:
    return root(config) / sha256[:2] / sha256


def store(db: Database, principal: Principal, filename: str, data: bytes, config: dict,
          instance_id: int | None = None) -> DocumentView:
    limit = int(config["MAX_UPLOAD_BYTES"])
    if len(data) > limit:
        size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit // 1024} KB"
        raise PayloadTooLarge(f"Berkas lebih dari {size}. / The file is larger than {size}; "
                              f"scan at a lower resolution or split it.")
    if not data:
        raise ValidationFailed("empty file", {"file": ["Berkas kosong / The file is empty"]})
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed("unsupported file type", {"file": [
            "Hanya PDF, JPEG atau PNG yang diterima / Only PDF, JPEG or PNG scans are accepted"]})
    if principal.read_only:
        from ..errors import Forbidden

        raise Forbidden("An auditor reads and never uploads.")
    content_type, extension = kind
    digest = save_bytes(config, data)
    view = DocumentView(uuid.uuid4().hex, digest, _safe_name(filename, extension), content_type, len(data),
                        principal.username, clock.now(), None)
    with db.unit_of_work() as session:
        if instance_id is not None:
            _check_instance(session, instance_id, principal)
        session.add(Document(id=view.id, sha256=digest, filename=view.filename, content_type=content_type,
                             size=view.size, uploaded_by=principal.username, uploaded_at=view.uploaded_at,
                             instance_id=instance_id))
    return DocumentView(**{**view.__dict__, "instance_id": instance_id})


def save_bytes(config: dict, data: bytes) -> str:
    """Write ``data`` under its SHA-256 (temporary file, fsync, rename) and return the digest.

    Content-addressed, so writing the same bytes twice is harmless, and a file whose database row was
    rolled back is only an orphan, never a wrong answer.
    """
    digest = hashlib.sha256(data).hexdigest()
    target = _path(config, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return digest


def add_generated(session, config: dict, instance_id: int, filename: str, data: bytes, content_type: str,
                  author: str) -> DocumentView:
    """Inside a step: store a document the case produced (a Berita Acara, a report) and link it to the case."""
    digest = save_bytes(config, data)
    view = DocumentView(uuid.uuid4().hex, digest, filename, content_type, len(data), author, clock.now(),
                        instance_id)
    session.add(Document(id=view.id, sha256=digest, filename=filename, content_type=content_type, size=len(data),
                         uploaded_by=author, uploaded_at=view.uploaded_at, instance_id=instance_id))
    session.flush()
    return view


def _check_instance(session, instance_id: int, principal: Principal) -> None:
    started_by = session.scalar(select(Instance.started_by).where(Instance.id == instance_id))
    if started_by is None or (not principal.sees_everything and started_by != principal.username):
        raise NotFound(f"Case {instance_id} not found.")


def _view(doc: Document) -> DocumentView:
    return DocumentView(doc.id, doc.sha256, doc.filename, doc.content_type, doc.size, doc.uploaded_by,
                        doc.uploaded_at, doc.instance_id)


def open_document(db: Database, principal: Principal, document_id: str, config: dict) -> tuple[DocumentView, Path]:
    """The document and the path of its bytes, if the caller may read it."""
    with db.reader() as session:
        doc = session.get(Document, document_id)
        allowed = doc is not None and (principal.sees_everything or doc.uploaded_by == principal.username)
        if doc is not None and not allowed and doc.instance_id is not None:
            started_by = session.scalar(select(Instance.started_by).where(Instance.id == doc.instance_id))
            allowed = started_by == principal.username
        if not allowed:
            raise NotFound(f"Dokumen {document_id} tidak ditemukan. / Document {document_id} not found.")
        view = _view(doc)
    path = _path(config, view.sha256)
    if not path.exists():
        raise NotFound(f"The bytes of document {document_id} are missing from storage.")
    return view, path


def attach(session, document_ids: list[str], instance_id: int, principal: Principal) -> list[dict]:
    """Inside a task completion: link the referenced documents to the case; returns their journal facts."""
    if not document_ids:
        return []
    docs = session.scalars(select(Document).where(Document.id.in_(document_ids))).all()
    found = {d.id: d for d in docs}
    missing = [d for d in document_ids if d not in found]
    if missing:
        raise ValidationFailed("unknown documents", {"_documents": [f"Dokumen tidak dikenal / Unknown document {m}"
                                                                     for m in missing]})
    for doc in docs:
        if doc.instance_id not in (None, instance_id):
            raise Conflict(f"Document {doc.id} belongs to another case.")
        if doc.uploaded_by != principal.username and not principal.is_staff:
            raise ValidationFailed("foreign document", {"_documents": [f"Document {doc.id} was uploaded by someone else"]})
    session.execute(update(Document).where(Document.id.in_(list(found)), Document.instance_id.is_(None))
                    .values(instance_id=instance_id))
    return [{"id": d.id, "sha256": d.sha256, "filename": d.filename, "content_type": d.content_type,
             "size": d.size} for d in docs]


def list_for_instance(db: Database, principal: Principal, instance_id: int) -> list[DocumentView]:
    with db.reader() as session:
        _check_instance(session, instance_id, principal)
        return [_view(d) for d in session.scalars(select(Document).where(Document.instance_id == instance_id)
                                                  .order_by(Document.uploaded_at))]
