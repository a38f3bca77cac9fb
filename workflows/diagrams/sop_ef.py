"""SOP (e) performance and capacity (Pasal 21) and SOP (f) archiving (Pasal 22): scheduled cases."""
from __future__ import annotations

from .builder import Process


def kapasitas() -> Process:
    p = Process("kapasitas_harian", "SOP (e) Pemantauan kinerja dan kapasitas harian", ["admin_sistem", "kepala"],
                starter_roles="admin_sistem",
                documentation="Setiap hari pukul 07.00 WIB: CPU, RAM, disk per partisi, ukuran basis data, lalu lintas "
                              "jaringan dan koneksi dibandingkan dengan ambang; di atas ambang, admin sistem "
                              "menganalisis dan Kepala memutuskan rencana kapasitas.")
    p.start("mulai", "Setiap hari 07.00 WIB", "admin_sistem", cycle="R/2026-01-01T07:00:00+07:00/P1D")
    p.service("ukur", "Ukur kinerja, kapasitas dan koneksi server", "admin_sistem", "kapasitas.ukur", "pengukuran",
              pasal="21(1),21(2),21(3),21(5),21(6)")
    p.xor("kritis", "Melewati ambang?", "admin_sistem")
    p.end("normal", "Kondisi normal", "admin_sistem")
    p.user("analisis", "Analisis kondisi kritis dan usulkan tindakan", "admin_sistem", "kapasitas.analisis",
           "21(1),21(3),21(5)", due="PT4H")
    p.user("putuskan", "Putuskan rencana kapasitas", "kepala", "kapasitas.keputusan", "21(1),21(5)", due="P1D")
    p.xor("disetujui", "Disetujui?", "kepala")
    p.user("laksanakan", "Laksanakan penggantian/penambahan", "admin_sistem", "kapasitas.pelaksanaan",
           "21(1),21(5)")
    p.end("ditangani", "Kapasitas ditangani", "admin_sistem")
    p.end("dipantau", "Terus dipantau", "kepala")
    p.chain("mulai", "ukur", "kritis")
    p.flow("kritis", "analisis", 'pengukuran["kritis"] == True', "ya")
    p.flow("kritis", "normal", name="tidak", default=True)
    p.chain("analisis", "putuskan", "disetujui")
    p.flow("disetujui", "laksanakan", "disetujui == True", "ya")
    p.flow("disetujui", "dipantau", name="tidak", default=True)
    p.chain("laksanakan", "ditangani")
    return p


def pencadangan() -> Process:
    p = Process("pencadangan", "SOP (f) Pengarsipan dokumen elektronik (file backup)",
                ["admin_sistem", "sekretariat"], starter_roles="admin_sistem",
                documentation="Setiap Minggu pukul 01.00 WIB: basis data dan berkas unggahan dicadangkan dengan manifest "
                              "SHA-256 dan diuji dengan pemulihan; media diberi label, diserahterimakan dan disimpan "
                              "terpisah dari ruang server. Kegagalan membuka kasus penanganan masalah.")
    p.start("mulai", "Setiap Minggu 01.00 WIB", "admin_sistem", cycle="R/2026-01-04T01:00:00+07:00/P7D")
    p.service("cadangkan", "Cadangkan basis data dan berkas, uji pemulihan", "admin_sistem", "arsip.cadangkan",
              "cadangan", pasal="22(1)")
    p.xor("berhasil", "Berhasil?", "admin_sistem")
    p.service("buka_insiden", "Buka kasus penanganan masalah", "admin_sistem", "insiden.buka", "insiden",
              pasal="19(1),22(1)", uraian='"Pencadangan gagal: " + cadangan["galat"][:300]')
    p.end("gagal", "Ditangani sebagai insiden", "admin_sistem")
    p.user("label", "Salin ke media portabel dan beri label", "admin_sistem", "arsip.label", "22(2)", due="P1D")
    p.user("serah_terima", "Serah terima media cadangan", "sekretariat", "arsip.serah_terima", "22(2)", due="P1D")
    p.user("simpan", "Simpan media di tempat aman terpisah dari ruang server", "sekretariat", "arsip.penyimpanan",
           "22(2)", due="P2D")
    p.end("selesai", "Cadangan tersimpan", "sekretariat")
    p.chain("mulai", "cadangkan", "berhasil")
    p.flow("berhasil", "label", 'cadangan["berhasil"] == True', "ya")
    p.flow("berhasil", "buka_insiden", name="gagal", default=True)
    p.chain("buka_insiden", "gagal")
    p.chain("label", "serah_terima", "simpan", "selesai")
    return p
