"""SOP (a): registration and verification of SPSE users (Pasal 12, 17), and deactivation (12(5))."""
from __future__ import annotations

from .builder import Process


def registrasi() -> Process:
    p = Process("registrasi_pengguna", "SOP (a) Registrasi dan verifikasi pengguna SPSE",
                ["penyedia", "pengguna", "layanan", "verifikator", "kepala", "sekretariat"],
                starter_roles="penyedia,pengguna",
                documentation="Pendaftaran daring, pemeriksaan daftar hitam dan kelengkapan oleh helpdesk, verifikasi "
                              "dokumen asli oleh verifikator, persetujuan (akun aktif) atau penolakan dengan alasan, "
                              "pengarsipan. Verifikasi yang menunggu lebih dari satu hari kerja dieskalasi ke Kepala.")
    p.start("mulai", "Pendaftaran daring dimulai", "penyedia")
    p.service("persyaratan", "Sampaikan persyaratan dokumen", "layanan", "registrasi.persyaratan", "persyaratan",
              pasal="12(2)b")
    p.xor("jalur", "Jenis pemohon?", "layanan")
    p.user("formulir_penyedia", "Isi formulir pendaftaran penyedia", "penyedia", "registrasi.penyedia", "17(1)a",
           due="P7D")
    p.user("formulir_non_penyedia", "Isi formulir pendaftaran non-penyedia", "pengguna", "registrasi.non_penyedia",
           "17(1)b", due="P7D")
    p.join("formulir_masuk", "layanan")
    p.service("cetak_formulir", "Sediakan formulir pendaftaran terisi", "layanan", "registrasi.formulir",
              "formulir", pasal="17(4)")
    p.service("periksa_identitas", "Periksa daftar hitam dan duplikasi NIB/NPWP", "layanan",
              "registrasi.periksa_identitas", "pemeriksaan", pasal="12(2)c",
              nama_pengguna="nama_pengguna",
              nib='nib if persyaratan["jenis_pemohon"] == "penyedia" else None',
              npwp='npwp if persyaratan["jenis_pemohon"] == "penyedia" else None')
    p.xor("terhalang", "Terhalang?", "layanan")
    p.script("alasan_otomatis", "Alasan dari pemeriksaan otomatis", "layanan",
             'alasan_kode = pemeriksaan["alasan_kode"]\nalasan = pemeriksaan["uraian"]')
    p.user("periksa_kelengkapan", "Periksa kelengkapan dokumen dan daftar hitam nasional", "layanan",
           "registrasi.kelengkapan", "12(2)c", due="P1D")
    p.xor("lengkap", "Lengkap?", "layanan")
    p.script("batas_waktu", "Tetapkan batas verifikasi (1 hari kerja)", "verifikator",
             "batas_verifikasi = add_working_days(now(), 1) + now()[10:]")
    p.user("verifikasi", "Verifikasi dokumen asli dan data daring", "verifikator", "registrasi.verifikasi",
           "12(2)c,17(2),12(4)")
    p.timer_on("terlambat", "Lebih dari 1 hari kerja", "verifikasi", date="batas_verifikasi", interrupting=False,
               pasal="12(2)c")
    p.user("arahan_kepala", "Tindak lanjuti verifikasi yang terlambat", "kepala", "registrasi.arahan", "12(2)c")
    p.end("eskalasi_selesai", "Arahan diberikan", "kepala")
    p.xor("hasil_verifikasi", "Disetujui?", "verifikator")
    p.service("setujui", "Aktifkan User ID pemohon", "verifikator", "registrasi.setujui", "akun", pasal="12(4),17(2)")
    p.service("kabari_setuju", "Beritahukan persetujuan", "verifikator", "pemberitahuan.catat", "pemberitahuan",
              pasal="12(4)", penerima='[persyaratan["pemohon"], akun["username"]]',
              perihal='"Pendaftaran pengguna SPSE disetujui"',
              pesan='"Pendaftaran Anda telah diverifikasi dan disetujui. User ID: " + akun["username"]',
              email="email")
    p.join("ditolak", "verifikator")
    p.service("tolak", "Catat penolakan beserta alasannya", "verifikator", "registrasi.tolak", "penolakan",
              pasal="12(4)", alasan_kode="alasan_kode", alasan="alasan")
    p.service("kabari_tolak", "Beritahukan penolakan dan alasannya", "verifikator", "pemberitahuan.catat",
              "pemberitahuan", pasal="12(4)", penerima='persyaratan["pemohon"]',
              perihal='"Pendaftaran pengguna SPSE ditolak"', pesan='penolakan["pesan"]', email="email")
    p.join("hasil", "sekretariat")
    p.user("arsipkan", "Arsipkan formulir dan salinan dokumen", "sekretariat", "registrasi.arsip", "12(2)d",
           due="P3D")
    p.service("catat_arsip", "Catat arsip dokumen pengguna", "sekretariat", "registrasi.arsip", "arsip",
              pasal="12(2)d", nomor_berkas="nomor_berkas", lokasi_fisik="lokasi_fisik")
    p.end("selesai", "Pendaftaran selesai", "sekretariat")

    p.chain("mulai", "persyaratan", "jalur")
    p.flow("jalur", "formulir_penyedia", 'persyaratan["jenis_pemohon"] == "penyedia"', "penyedia")
    p.flow("jalur", "formulir_non_penyedia", name="non-penyedia", default=True)
    p.flow("formulir_penyedia", "formulir_masuk")
    p.flow("formulir_non_penyedia", "formulir_masuk")
    p.chain("formulir_masuk", "cetak_formulir", "periksa_identitas", "terhalang")
    p.flow("terhalang", "alasan_otomatis", 'pemeriksaan["terhalang"]', "ya")
    p.flow("terhalang", "periksa_kelengkapan", name="tidak", default=True)
    p.flow("alasan_otomatis", "ditolak")
    p.flow("periksa_kelengkapan", "lengkap")
    p.flow("lengkap", "batas_waktu", 'keputusan == "lanjut"', "lanjut")
    p.flow("lengkap", "ditolak", name="tolak", default=True)
    p.chain("batas_waktu", "verifikasi", "hasil_verifikasi")
    p.chain("terlambat", "arahan_kepala", "eskalasi_selesai")
    p.flow("hasil_verifikasi", "setujui", 'keputusan == "setuju"', "setuju")
    p.flow("hasil_verifikasi", "ditolak", name="tolak", default=True)
    p.chain("setujui", "kabari_setuju", "hasil")
    p.chain("ditolak", "tolak", "kabari_tolak", "hasil")
    p.chain("hasil", "arsipkan", "catat_arsip", "selesai")
    return p


def penonaktifan() -> Process:
    p = Process("penonaktifan_akun", "SOP (a) Penonaktifan User ID (Pasal 12 ayat 5)",
                ["pengguna", "kepala", "verifikator"], starter_roles="pengguna",
                documentation="Pengaduan pelanggaran atau permintaan daftar hitam dari PA/KPA/PPK/ULP dengan bukti, "
                              "telaah dan klarifikasi, keputusan Kepala, usulan kepada LKPP (pesan keluar), jawaban "
                              "LKPP (pesan masuk), penonaktifan User ID dan pemberitahuan.")
    p.start("mulai", "Pengaduan diterima", "pengguna")
    p.user("ajukan", "Ajukan pengaduan atau permintaan daftar hitam", "pengguna", "penonaktifan.pengaduan", "12(5)")
    p.service("periksa_akun", "Periksa User ID terlapor", "verifikator", "penonaktifan.periksa_akun",
              "akun_terlapor", pasal="12(5)", username="user_id_terlapor")
    p.user("telaah", "Terima dan telaah pengaduan", "kepala", "penonaktifan.telaah", "12(5)", due="P3D")
    p.xor("berdasar", "Berdasar?", "kepala")
    p.user("klarifikasi", "Klarifikasi kepada penyedia", "verifikator", "penonaktifan.klarifikasi", "12(5)",
           due="P7D")
    p.user("putuskan", "Putuskan usulan penonaktifan", "kepala", "penonaktifan.keputusan", "12(5)", due="P3D")
    p.xor("usulkan", "Diusulkan?", "kepala")
    p.script("siapkan_usulan", "Siapkan usulan kepada LKPP", "kepala",
             'jenis_surat_lkpp = "USUL-NA"\n'
             'perihal_lkpp = "Usulan penonaktifan User ID " + akun_terlapor["username"]\n'
             'uraian_lkpp = uraian + "\\n\\nHasil klarifikasi: " + hasil_klarifikasi + "\\n\\nPertimbangan Kepala: " '
             '+ pertimbangan\n'
             'lampiran_lkpp = bukti')
    p.call("eskalasi", "Usulkan penonaktifan kepada LKPP", "kepala", "eskalasi_lkpp", pasal="12(5),15(2)b")
    p.xor("lkpp_setuju", "LKPP setuju?", "kepala")
    p.service("nonaktifkan", "Nonaktifkan User ID", "verifikator", "penonaktifan.nonaktifkan", "penonaktifan",
              pasal="12(5)", username='akun_terlapor["username"]', jenis="jenis", dasar="dasar")
    p.service("kabari_nonaktif", "Beritahukan penonaktifan", "verifikator", "pemberitahuan.catat",
              "pemberitahuan", pasal="12(5)", penerima='[akun_terlapor["username"], akun_terlapor["pelapor"]]',
              perihal='"User ID SPSE dinonaktifkan"',
              pesan='"User ID " + akun_terlapor["username"] + " dinonaktifkan atas persetujuan LKPP. " '
                    '+ jawaban_lkpp.get("catatan", "")')
    p.end("selesai_nonaktif", "User ID nonaktif", "verifikator")
    p.join("tidak_dinonaktifkan", "kepala")
    p.service("kabari_tidak", "Jawab pelapor: pengaduan tidak dapat ditindaklanjuti", "kepala", "pemberitahuan.catat",
              "pemberitahuan", pasal="12(5)", penerima='akun_terlapor["pelapor"]',
              perihal='"Tanggapan atas pengaduan"',
              pesan='"Pengaduan atas User ID " + user_id_terlapor + " tidak ditindaklanjuti dengan penonaktifan."')
    p.end("selesai_tidak", "Pengaduan dijawab", "kepala")

    p.chain("mulai", "ajukan", "periksa_akun", "telaah", "berdasar")
    p.flow("berdasar", "klarifikasi", 'keputusan_telaah == "klarifikasi" and akun_terlapor["ada"]', "ya")
    p.flow("berdasar", "tidak_dinonaktifkan", name="tidak", default=True)
    p.chain("klarifikasi", "putuskan", "usulkan")
    p.flow("usulkan", "siapkan_usulan", 'keputusan == "usulkan"', "usulkan")
    p.flow("usulkan", "tidak_dinonaktifkan", name="tidak terbukti", default=True)
    p.chain("siapkan_usulan", "eskalasi", "lkpp_setuju")
    p.flow("lkpp_setuju", "nonaktifkan", 'jawaban_lkpp.get("disetujui") == True', "disetujui")
    p.flow("lkpp_setuju", "tidak_dinonaktifkan", name="tidak disetujui", default=True)
    p.chain("nonaktifkan", "kabari_nonaktif", "selesai_nonaktif")
    p.chain("tidak_dinonaktifkan", "kabari_tidak", "selesai_tidak")
    return p
