"""SQLAlchemy models, one module per aggregate."""
from .account import User
from .announcement import Announcement
from .base import Base
from .definition import BpmnModel, ProcessVersion
from .document import Document
from .instance import Instance
from .journal import JournalEvent
from .login import LoginFailure
from .task import Task

__all__ = ["Announcement", "Base", "BpmnModel", "Document", "Instance", "JournalEvent", "LoginFailure", "ProcessVersion", "Task", "User"]
