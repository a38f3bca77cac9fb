"""SQLAlchemy models, one module per aggregate."""
from .account import User
from .base import Base
from .definition import BpmnModel, ProcessVersion
from .document import Document
from .instance import Instance
from .journal import JournalEvent
from .task import Task

__all__ = ["Base", "BpmnModel", "Document", "Instance", "JournalEvent", "ProcessVersion", "Task", "User"]
