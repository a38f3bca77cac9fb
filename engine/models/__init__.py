"""SQLAlchemy models, one module per aggregate."""
from .account import User
from .base import Base
from .definition import BpmnModel, ProcessVersion
from .document import Document
from .instance import Instance
from .journal import JournalEvent
from .lpse import (DaftarHitam, IdentitasPengguna, NomorSurat, Pelatihan, PemesananRuang, Pengumuman,
                   PesertaPelatihan)
from .task import Task

__all__ = ["Base", "BpmnModel", "DaftarHitam", "Document", "IdentitasPengguna", "Instance", "JournalEvent",
           "NomorSurat", "Pelatihan", "PemesananRuang", "Pengumuman", "PesertaPelatihan", "ProcessVersion", "Task",
           "User"]
