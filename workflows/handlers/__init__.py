"""Service-task handlers, registered by name. Importing this package registers them all."""
from . import (  # noqa: F401
    arsip,
    kapasitas,
    laporan,
    layanan,
    pemberitahuan,
    penanganan,
    pengumuman,
    penonaktifan,
    registrasi,
    ruang_server,
    umum,
    umum_kasus,
)
from . import notifikasi  # noqa: F401,E402  (issue 10: notifications)
from . import pekerjaan  # noqa: F401,E402  (long jobs: backup, quarterly figures)
