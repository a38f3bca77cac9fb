"""SQLAlchemy models, one module per aggregate."""
from .account import User
from .announcement import Announcement
from .base import Base
from .definition import BpmnModel, ProcessVersion
from .document import Document
from .incident import Incident
from .instance import Instance
from .job import Job
from .journal import JournalEvent
from .lease import Lease
from .login import LoginFailure
from .lpse import DaftarHitam, IdentitasPengguna, NomorSurat, Pelatihan, PemesananRuang, PesertaPelatihan
from .schedule import Schedule
from .task import Task

__all__ = ["Announcement", "Base", "BpmnModel", "DaftarHitam", "Document", "IdentitasPengguna", "Incident", "Instance",
           "Job", "JournalEvent", "Lease", "LoginFailure", "NomorSurat", "Pelatihan", "PemesananRuang",
           "PesertaPelatihan", "ProcessVersion", "Schedule", "Task", "User"]

# The outbox, webhooks and notifications (issues 7 and 10).
from .notification import Notification, NotificationSetting, NotificationTemplate, OverdueNotice  # noqa: E402
from .outbox import DeliveryAttempt, OutboxMessage  # noqa: E402
from .webhook import HookRequest, InboundHook, WebhookEndpoint  # noqa: E402

__all__ += ["DeliveryAttempt", "HookRequest", "InboundHook", "Notification", "NotificationSetting",
            "NotificationTemplate", "OutboxMessage", "OverdueNotice", "WebhookEndpoint"]

from .audit import Checkpoint  # noqa: E402 - signed journal checkpoints (issue 5)

__all__ += ["Checkpoint"]
from .dry_run import DryRun  # noqa: E402 - issue 6: dry runs of drafts and versions

__all__ += ["DryRun"]
