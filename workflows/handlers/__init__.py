"""Service-task handlers, registered by name. Importing this package registers them all."""
from . import (  # noqa: F401
    pemberitahuan,
    penanganan,
    pengumuman,
    penonaktifan,
    registrasi,
    umum,
    umum_kasus,
)
