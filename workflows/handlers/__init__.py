"""Service-task handlers, registered by name. Importing this package registers them all."""
from . import umum  # noqa: F401
