"""SQLAlchemy models, one module per aggregate."""
from .account import User
from .base import Base
from .definition import BpmnModel, ProcessVersion
from .instance import Instance
from .journal import JournalEvent
from .task import Task

__all__ = ["Base", "BpmnModel", "Instance", "JournalEvent", "ProcessVersion", "Task", "User"]
