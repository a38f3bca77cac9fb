"""Service-task handlers, registered by name. Importing this package registers them all."""
from . import pemberitahuan, penonaktifan, registrasi, umum  # noqa: F401
