"""SOP (d): maintenance and security of the infrastructure (Pasal 20, 21(4))."""
from __future__ import annotations

from .builder import Process


def akses_ruang_server() -> Process:
    p = Process("akses_ruang_server", "SOP (d) Izin masuk ruang server", ["sekretariat", "admin_sistem", "kepala"],
                starter_roles="sekretariat,admin_sistem",
                documentation="Pengunjung menitipkan identitas dan mengisi formulir (perangkat dan nomor seri); "
                              "koordinator keamanan memeriksa permohonan dan kondisi ruang; Kepala mengizinkan atau "
                              "menolak; pengunjung didampingi; waktu keluar dan perangkat dicatat; formulir diarsipkan.")
    p.start("mulai", "Pengunjung datang", "sekretariat")
    p.user("permohonan", "Catat permohonan dan titipkan identitas", "sekretariat", "ruang_server.permohonan", "20(4)")
    p.user("periksa", "Periksa permohonan dan kondisi ruang server", "admin_sistem", "ruang_server.pemeriksaan",
           "20(3)", due="PT2H")
    p.user("izin", "Beri atau tolak izin masuk", "kepala", "ruang_server.izin", "20(4)", due="PT2H")
    p.xor("diizinkan_q", "Diizinkan?", "kepala")
    p.service("kabari_tolak", "Beritahukan penolakan izin", "kepala", "pemberitahuan.catat", "pemberitahuan",
              pasal="20(4)", penerima='"sekretariat"', perihal='"Izin masuk ruang server ditolak"',
              pesan='"Permohonan " + nama_pengunjung + " (" + instansi + ") ditolak. " + alasan_izin')
    p.end("ditolak", "Tidak diizinkan", "kepala")
    p.user("dampingi", "Dampingi pengunjung dan catat keluar", "admin_sistem", "ruang_server.kunjungan",
           "20(4),20(5)")
    p.service("formulir", "Terbitkan formulir kunjungan", "admin_sistem", "ruang_server.formulir", "formulir",
              pasal="20(4)")
    p.user("arsipkan", "Arsipkan formulir kunjungan", "sekretariat", "umum.arsip", "20(4)", due="P3D")
    p.end("selesai", "Kunjungan tercatat", "sekretariat")
    p.chain("mulai", "permohonan", "periksa", "izin", "diizinkan_q")
    p.flow("diizinkan_q", "dampingi", "diizinkan == True", "ya")
    p.flow("diizinkan_q", "kabari_tolak", name="tidak", default=True)
    p.chain("kabari_tolak", "ditolak")
    p.chain("dampingi", "formulir", "arsipkan", "selesai")
    return p


def pemeliharaan() -> Process:
    p = Process("pemeliharaan_server", "SOP (d) Pemeliharaan server terjadwal", ["admin_sistem", "kepala"],
                starter_roles="admin_sistem",
                documentation="Rencana pemeliharaan disetujui Kepala, diumumkan kepada pengguna sebelum dimulai "
                              "(Pasal 21 ayat 4), dilaksanakan pada waktunya, didokumentasikan, lalu pengumuman "
                              "dicabut.")
    p.start("mulai", "Pemeliharaan direncanakan", "admin_sistem")
    p.user("rencana", "Rencanakan pemeliharaan", "admin_sistem", "pemeliharaan.rencana", "20(5),21(5)")
    p.user("setujui", "Setujui jadwal pemeliharaan", "kepala", "pemeliharaan.persetujuan", "20(5)", due="P1D")
    p.xor("disetujui_q", "Disetujui?", "kepala")
    p.end("batal", "Tidak dilaksanakan", "kepala")
    p.service("umumkan", "Umumkan pemeliharaan kepada pengguna", "admin_sistem", "pengumuman.terbitkan",
              "pengumuman_pemeliharaan", pasal="21(4),18d", jenis='"pemeliharaan"',
              judul='"Pemeliharaan: " + judul', isi='uraian_pemeliharaan + "\\nDampak: " + dampak_layanan',
              berlaku_mulai="mulai", berlaku_sampai="selesai")
    p.wait_until("tunggu", "Saat pemeliharaan dimulai", "admin_sistem", "mulai")
    p.user("laksanakan", "Laksanakan dan dokumentasikan pemeliharaan", "admin_sistem", "pemeliharaan.laporan",
           "20(5)")
    p.service("cabut", "Cabut pengumuman", "admin_sistem", "pengumuman.cabut", "pencabutan", pasal="21(4)",
              pengumuman="pengumuman_pemeliharaan")
    p.end("selesai", "Pemeliharaan terdokumentasi", "admin_sistem")
    p.chain("mulai", "rencana", "setujui", "disetujui_q")
    p.flow("disetujui_q", "umumkan", "disetujui == True", "ya")
    p.flow("disetujui_q", "batal", name="tidak", default=True)
    p.chain("umumkan", "tunggu", "laksanakan", "cabut", "selesai")
    return p
