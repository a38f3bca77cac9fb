"""SOP (b): user service (Pasal 13, 15(1), 18). Tasks outside the lanes belong to whoever started the
case: the supplier or user asking, or the helpdesk recording a phone call or a visit."""
from __future__ import annotations

from .builder import Process


def tiket() -> Process:
    p = Process("tiket_layanan", "SOP (b) Layanan pengguna: konsultasi, informasi, keluhan",
                ["layanan", "admin_sistem", "verifikator"], starter_roles="penyedia,pengguna,layanan",
                documentation="Tiket dari web, telepon, kunjungan atau email; helpdesk menjawab atau meneruskan ke "
                              "admin sistem/verifikator, lalu ke LKPP; pemohon mengonfirmasi dan memberi penilaian.")
    p.start("mulai", "Permintaan layanan", None)
    p.user("tulis", "Tulis permintaan layanan", None, "layanan.tiket", "13(2)a,13(2)b,13(2)c,15(1)a,18c")
    p.service("pemohon", "Catat pemohon", "layanan", "kasus.pemohon", "pemohon")
    p.service("dibuka", "Tiket dibuka", "layanan", "tiket.status", "status_tiket", pasal="18c", status='"dibuka"')
    p.user("tangani", "Jawab atau teruskan (helpdesk)", "layanan", "layanan.penanganan_tiket",
           "13(2)a,13(2)b,13(2)c,15(1)a", due="PT8H")
    p.xor("eskalasi_q", "Diteruskan?", "layanan")
    p.user("tangani_admin", "Tangani eskalasi teknis", "admin_sistem", "layanan.eskalasi", "19(1),15(1)a", due="P1D")
    p.user("tangani_verifikator", "Tangani eskalasi registrasi", "verifikator", "layanan.eskalasi", "12(2)c",
           due="P1D")
    p.join("lini_dua", "admin_sistem")
    p.xor("lkpp_q", "Perlu LKPP?", "admin_sistem")
    p.script("siapkan_lkpp", "Siapkan penyampaian ke LKPP", "admin_sistem",
             'jenis_surat_lkpp = "SRT-LKPP"\nperihal_lkpp = "Pertanyaan pengguna SPSE: " + uraian[:150]\n'
             'uraian_lkpp = uraian + "\\n\\nJawaban LPSE sementara: " + jawaban\nlampiran_lkpp = []')
    p.call("eskalasi", "Teruskan kepada LKPP", "admin_sistem", "eskalasi_lkpp", pasal="19(3),15(2)b")
    p.script("jawaban_lkpp_ke_tiket", "Jawaban LKPP menjadi jawaban tiket", "admin_sistem",
             'jawaban = jawaban + "\\nJawaban LKPP: " + str(jawaban_lkpp.get("jawaban", jawaban_lkpp))')
    p.join("terjawab", "layanan")
    p.service("kabari", "Sampaikan jawaban", "layanan", "pemberitahuan.catat", "pemberitahuan", pasal="18c",
              penerima="pemohon", perihal='"Jawaban atas permintaan layanan"', pesan="jawaban")
    p.user("konfirmasi", "Konfirmasi dan beri penilaian", None, "layanan.konfirmasi", "15(1)d", due="P3D")
    p.xor("puas_q", "Terjawab?", None)
    p.service("ditutup", "Tiket ditutup", "layanan", "tiket.status", "status_tiket", pasal="18c",
              status='"selesai"')
    p.end("selesai", "Tiket selesai", "layanan")
    p.chain("mulai", "tulis", "pemohon", "dibuka", "tangani", "eskalasi_q")
    p.flow("eskalasi_q", "tangani_admin", 'hasil == "eskalasi_admin"', "admin sistem")
    p.flow("eskalasi_q", "tangani_verifikator", 'hasil == "eskalasi_verifikator"', "verifikator")
    p.flow("eskalasi_q", "terjawab", name="selesai", default=True)
    p.flow("tangani_admin", "lini_dua")
    p.flow("tangani_verifikator", "lini_dua")
    p.flow("lini_dua", "lkpp_q")
    p.flow("lkpp_q", "siapkan_lkpp", 'hasil == "teruskan_lkpp"', "ya")
    p.flow("lkpp_q", "terjawab", name="tidak", default=True)
    p.chain("siapkan_lkpp", "eskalasi", "jawaban_lkpp_ke_tiket", "terjawab")
    p.chain("terjawab", "kabari", "konfirmasi", "puas_q")
    p.flow("puas_q", "ditutup", "puas == True", "ya")
    p.flow("puas_q", "tangani", name="dibuka kembali", default=True)
    p.chain("ditutup", "selesai")
    return p


def pelatihan() -> Process:
    p = Process("pelatihan", "SOP (b) Pelatihan penggunaan SPSE", ["layanan"], starter_roles="layanan",
                documentation="Jadwal dan pengumuman, pendaftaran sampai batas waktu (proses pendaftaran_pelatihan), "
                              "daftar hadir, sertifikat bernomor untuk peserta yang hadir.")
    p.start("mulai", "Pelatihan direncanakan", "layanan")
    p.user("jadwalkan", "Jadwalkan pelatihan", "layanan", "pelatihan.jadwal", "13(2)d,18a")
    p.service("buka", "Buka pendaftaran", "layanan", "pelatihan.buka", "pelatihan", pasal="13(2)d")
    p.service("umumkan", "Umumkan pelatihan", "layanan", "pengumuman.terbitkan", "pengumuman_pelatihan",
              pasal="13(2)d", jenis='"pelatihan"', judul='"Pelatihan: " + judul',
              isi='"Pelatihan " + judul + " pada " + tanggal + " pukul " + jam_mulai + " di " + tempat + '
                  '". Kuota " + str(kuota) + " peserta. Nomor pelatihan: " + str(pelatihan["id"])',
              berlaku_sampai="batas_pendaftaran")
    p.wait_until("tutup", "Batas pendaftaran", "layanan", "batas_pendaftaran")
    p.service("peserta", "Tutup pendaftaran dan siapkan daftar hadir", "layanan", "pelatihan.peserta", "peserta",
              pasal="13(2)d", pelatihan_id='pelatihan["id"]')
    p.user("kehadiran", "Catat kehadiran", "layanan", "pelatihan.kehadiran", "13(2)d")
    p.service("sertifikat", "Terbitkan sertifikat", "layanan", "pelatihan.sertifikat", "sertifikat", pasal="13(2)d",
              pelatihan_id='pelatihan["id"]', hadir="hadir")
    p.end("selesai", "Pelatihan selesai", "layanan")
    p.chain("mulai", "jadwalkan", "buka", "umumkan", "tutup", "peserta", "kehadiran", "sertifikat", "selesai")
    return p


def pendaftaran_pelatihan() -> Process:
    p = Process("pendaftaran_pelatihan", "SOP (b) Pendaftaran peserta pelatihan", ["layanan"],
                starter_roles="penyedia,pengguna,layanan")
    p.start("mulai", "Mendaftar pelatihan", None)
    p.user("daftar", "Isi pendaftaran pelatihan", None, "pelatihan.pendaftaran", "13(2)d")
    p.service("catat", "Catat peserta (kuota dan batas waktu)", "layanan", "pelatihan.daftar", "pendaftaran",
              pasal="13(2)d", pelatihan_id="pelatihan_id", nama="nama", email="email", instansi="instansi")
    p.service("pemohon", "Catat pendaftar", "layanan", "kasus.pemohon", "pemohon")
    p.service("kabari", "Beritahukan hasil pendaftaran", "layanan", "pemberitahuan.catat", "pemberitahuan",
              pasal="13(2)d", penerima="pemohon", perihal='"Pendaftaran pelatihan"', email="email",
              pesan='("Anda terdaftar pada pelatihan " + pendaftaran["judul"] + ", " + pendaftaran["tanggal"]) '
                    'if pendaftaran["diterima"] else ("Pendaftaran tidak dapat diterima: " + pendaftaran["alasan"])')
    p.end("selesai", "Pendaftaran dijawab", "layanan")
    p.chain("mulai", "daftar", "catat", "pemohon", "kabari", "selesai")
    return p


def pemesanan_ruang() -> Process:
    p = Process("pemesanan_ruang", "SOP (b) Pemesanan ruang pemasukan penawaran (bidding room)", ["layanan"],
                starter_roles="penyedia,pengguna,layanan",
                documentation="Tanggal, jam masuk/keluar, keperluan dan nomor seri perangkat; ketersediaan diperiksa, "
                              "helpdesk menyetujui, penggunaan dicatat.")
    p.start("mulai", "Permintaan ruang", None)
    p.user("ajukan", "Ajukan pemesanan ruang", None, "ruang.pemesanan", "18a")
    p.service("pemohon", "Catat pemohon", "layanan", "kasus.pemohon", "pemohon")
    p.service("periksa", "Periksa ketersediaan", "layanan", "ruang.periksa", "ketersediaan", pasal="18a",
              tanggal="tanggal", jam_mulai="jam_mulai", jam_selesai="jam_selesai")
    p.xor("tersedia_q", "Tersedia?", "layanan")
    p.user("setujui", "Setujui pemesanan", "layanan", "ruang.persetujuan", "18a", due="PT4H")
    p.xor("disetujui_q", "Disetujui?", "layanan")
    p.service("pesan_ruang", "Pesan ruang", "layanan", "ruang.pesan", "pesanan", pasal="18a", tanggal="tanggal",
              jam_mulai="jam_mulai", jam_selesai="jam_selesai", pemesan="pemohon")
    p.xor("dipesan_q", "Terpesan?", "layanan")
    p.service("kabari_ya", "Beritahukan pemesanan", "layanan", "pemberitahuan.catat", "pemberitahuan", pasal="18a",
              penerima="pemohon", perihal='"Pemesanan ruang disetujui"',
              pesan='"Ruang pemasukan penawaran dipesan untuk " + tanggal + " " + jam_mulai + "-" + jam_selesai')
    p.user("catat_penggunaan", "Catat penggunaan ruang", "layanan", "ruang.penggunaan", "18a")
    p.service("selesai_pakai", "Tutup pemesanan", "layanan", "ruang.selesai", "penggunaan", pasal="18a")
    p.end("selesai", "Ruang digunakan", "layanan")
    p.join("tidak_dapat", "layanan")
    p.service("kabari_tidak", "Beritahukan ruang tidak dapat dipesan", "layanan", "pemberitahuan.catat",
              "pemberitahuan", pasal="18a", penerima="pemohon", perihal='"Pemesanan ruang tidak dapat dipenuhi"',
              pesan='"Ruang tidak tersedia atau tidak disetujui untuk " + tanggal + " " + jam_mulai + "-" + jam_selesai')
    p.end("ditolak", "Tidak dipesan", "layanan")
    p.chain("mulai", "ajukan", "pemohon", "periksa", "tersedia_q")
    p.flow("tersedia_q", "setujui", 'ketersediaan["tersedia"] == True', "ya")
    p.flow("tersedia_q", "tidak_dapat", name="bentrok", default=True)
    p.flow("setujui", "disetujui_q")
    p.flow("disetujui_q", "pesan_ruang", "disetujui == True", "ya")
    p.flow("disetujui_q", "tidak_dapat", name="tidak", default=True)
    p.flow("pesan_ruang", "dipesan_q")
    p.flow("dipesan_q", "kabari_ya", 'pesanan["dipesan"] == True', "ya")
    p.flow("dipesan_q", "tidak_dapat", name="bentrok", default=True)
    p.chain("kabari_ya", "catat_penggunaan", "selesai_pakai", "selesai")
    p.chain("tidak_dapat", "kabari_tidak", "ditolak")
    return p


def masukan() -> Process:
    p = Process("masukan_layanan", "SOP (b) Masukan untuk peningkatan layanan", ["sekretariat"],
                starter_roles="penyedia,pengguna,layanan")
    p.start("mulai", "Masukan", None)
    p.user("tulis", "Tulis masukan", None, "layanan.masukan", "15(1)d")
    p.service("pemohon", "Catat pemberi masukan", "sekretariat", "kasus.pemohon", "pemohon")
    p.user("tindak_lanjuti", "Tindak lanjuti masukan", "sekretariat", "layanan.tindak_lanjut_masukan", "15(1)d",
           due="P5D")
    p.service("kabari", "Sampaikan tindak lanjut", "sekretariat", "pemberitahuan.catat", "pemberitahuan",
              pasal="15(1)d", penerima="pemohon", perihal='"Terima kasih atas masukan Anda"', pesan="tindak_lanjut")
    p.end("selesai", "Masukan ditindaklanjuti", "sekretariat")
    p.chain("mulai", "tulis", "pemohon", "tindak_lanjuti", "kabari", "selesai")
    return p


def pengumuman() -> Process:
    p = Process("pengumuman_layanan", "SOP (b) Pengumuman kepada pengguna SPSE", ["layanan", "kepala"],
                starter_roles="layanan,admin_sistem")
    p.start("mulai", "Perlu pengumuman", "layanan")
    p.user("susun", "Susun pengumuman", "layanan", "pengumuman.susun", "18d")
    p.user("setujui", "Setujui pengumuman", "kepala", "pengumuman.persetujuan", "18d", due="PT4H")
    p.xor("disetujui_q", "Disetujui?", "kepala")
    p.service("terbitkan", "Terbitkan di halaman publik", "layanan", "pengumuman.terbitkan", "pengumuman",
              pasal="18d", jenis="jenis_pengumuman", judul="judul", isi="isi", berlaku_sampai="berlaku_sampai")
    p.end("terbit", "Pengumuman terbit", "layanan")
    p.end("batal", "Tidak diterbitkan", "kepala")
    p.chain("mulai", "susun", "setujui", "disetujui_q")
    p.flow("disetujui_q", "terbitkan", "disetujui == True", "ya")
    p.flow("disetujui_q", "batal", name="tidak", default=True)
    p.chain("terbitkan", "terbit")
    return p
