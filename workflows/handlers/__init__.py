"""Service-task handlers, registered by name. Importing this package registers them all."""
from . import umum  # noqa: F401
from . import notifikasi  # noqa: F401  (issue 10: notifications)
