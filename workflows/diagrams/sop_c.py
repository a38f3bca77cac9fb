"""SOP (c): error handling (Pasal 19), and the kesaksian with its Berita Acara (19(2))."""
from __future__ import annotations

from .builder import Process


def penanganan_masalah() -> Process:
    p = Process("penanganan_masalah", "SOP (c) Penanganan masalah (error handling)",
                ["layanan", "admin_sistem", "kepala"], starter_roles="layanan,admin_sistem",
                documentation="Pencatatan dari saluran mana pun dengan klasifikasi dan prioritas; status tercatat, "
                              "penanganan, penyelesaian, selesai; pengumuman gangguan; penerusan ke LKPP dan "
                              "jawabannya; Berita Acara Gangguan bila terjadi saat tender; konfirmasi pelapor.")
    p.start("mulai", "Laporan masalah masuk", "layanan")
    p.user("catat", "Catat laporan dan klasifikasi", "layanan", "insiden.catat", "19(1),18c", due="PT4H")
    p.script("prioritas", "Tentukan prioritas", "layanan",
             'skor = {"rendah": 1, "sedang": 2, "tinggi": 3}\n'
             'nilai = skor[urgensi] + skor[dampak]\n'
             'prioritas = "P1" if nilai >= 6 else ("P2" if nilai >= 5 else ("P3" if nilai >= 3 else "P4"))\n'
             'pengumuman_gangguan = None')
    p.service("tercatat", "Status: tercatat", "layanan", "insiden.status", "status", pasal="19(1)",
              status='"tercatat"')
    p.xor("perlu_umumkan", "Umumkan?", "layanan")
    p.service("umumkan", "Umumkan gangguan kepada pengguna", "layanan", "pengumuman.terbitkan",
              "pengumuman_gangguan", pasal="18d", jenis='"gangguan"',
              judul='"Gangguan layanan SPSE: " + uraian[:120]',
              isi='"LPSE sedang menangani gangguan: " + uraian')
    p.join("tercatat_selesai", "layanan")
    p.service("penanganan", "Status: penanganan", "admin_sistem", "insiden.status", "status", pasal="19(1)",
              status='"penanganan"')
    p.user("tangani", "Tangani masalah", "admin_sistem", "insiden.penanganan", "19(1),21(3)", due="P1D")
    p.xor("ke_lkpp", "Perlu LKPP?", "admin_sistem")
    p.script("siapkan_lkpp", "Siapkan penyampaian ke LKPP", "admin_sistem",
             'jenis_surat_lkpp = "SRT-LKPP"\n'
             'perihal_lkpp = "Permasalahan SPSE: " + uraian[:150]\n'
             'uraian_lkpp = uraian + "\\n\\nTindakan LPSE: " + tindakan + "\\nPenyebab: " + penyebab\n'
             'lampiran_lkpp = []')
    p.call("eskalasi", "Teruskan kepada LKPP", "kepala", "eskalasi_lkpp", pasal="19(3),15(2)b")
    p.user("tindak_lanjut", "Terapkan solusi dari LKPP", "admin_sistem", "insiden.tindak_lanjut", "19(1)")
    p.join("ditangani", "admin_sistem")
    p.service("penyelesaian", "Status: penyelesaian", "admin_sistem", "insiden.status", "status", pasal="19(1)",
              status='"penyelesaian"')
    p.xor("saat_tender_q", "Saat tender?", "admin_sistem")
    p.user("periksa_ba", "Periksa dan tandatangani Berita Acara Gangguan", "kepala", "insiden.persetujuan_ba",
           "19(1)", due="P1D")
    p.xor("ba_disetujui", "Disetujui?", "kepala")
    p.service("ba_gangguan", "Terbitkan Berita Acara Gangguan", "kepala", "insiden.ba_gangguan", "berita_acara",
              pasal="19(1)")
    p.join("siap_konfirmasi", "layanan")
    p.service("cabut", "Cabut pengumuman gangguan", "layanan", "pengumuman.cabut", "pencabutan", pasal="18d",
              pengumuman="pengumuman_gangguan")
    p.user("konfirmasi", "Konfirmasi penyelesaian kepada pelapor", "layanan", "insiden.konfirmasi", "19(1)",
           due="P1D")
    p.xor("puas", "Selesai menurut pelapor?", "layanan")
    p.service("selesai_status", "Status: selesai", "layanan", "insiden.status", "status", pasal="19(1)",
              status='"selesai"')
    p.service("kabari", "Beritahukan penyelesaian", "layanan", "pemberitahuan.catat", "pemberitahuan",
              pasal="19(1)", penerima='user_id_pelapor or "layanan"', perihal='"Laporan masalah selesai"',
              pesan='"Masalah yang Anda laporkan telah selesai ditangani: " + uraian[:200]')
    p.end("selesai", "Masalah selesai", "layanan")

    p.chain("mulai", "catat", "prioritas", "tercatat", "perlu_umumkan")
    p.flow("perlu_umumkan", "umumkan", "umumkan == True", "ya")
    p.flow("perlu_umumkan", "tercatat_selesai", name="tidak", default=True)
    p.chain("umumkan", "tercatat_selesai", "penanganan", "tangani", "ke_lkpp")
    p.flow("ke_lkpp", "siapkan_lkpp", 'hasil == "teruskan_lkpp"', "teruskan")
    p.flow("ke_lkpp", "ditangani", name="selesai", default=True)
    p.chain("siapkan_lkpp", "eskalasi", "tindak_lanjut", "ditangani")
    p.chain("ditangani", "penyelesaian", "saat_tender_q")
    p.flow("saat_tender_q", "periksa_ba", "saat_tender == True", "ya")
    p.flow("saat_tender_q", "siap_konfirmasi", name="tidak", default=True)
    p.flow("periksa_ba", "ba_disetujui")
    p.flow("ba_disetujui", "ba_gangguan", "setuju == True", "setuju")
    p.flow("ba_disetujui", "tangani", name="perbaiki", default=True)
    p.flow("ba_gangguan", "siap_konfirmasi")
    p.chain("siap_konfirmasi", "cabut", "konfirmasi", "puas")
    p.flow("puas", "selesai_status", "pelapor_puas == True", "ya")
    p.flow("puas", "penanganan", name="dibuka kembali", default=True)
    p.chain("selesai_status", "kabari", "selesai")
    return p


def kesaksian() -> Process:
    p = Process("kesaksian_dokumen", "SOP (c) Kesaksian dokumen penawaran (Pasal 19 ayat 2)",
                ["pengguna", "admin_sistem", "kepala"], starter_roles="pengguna",
                documentation="Pokja meminta secara tertulis; petugas LPSE membuka ulang file di hadapan Pokja; hasil "
                              "dituangkan dalam Berita Acara Kesaksian; file yang mungkin dapat dipulihkan "
                              "diteruskan kepada LKPP.")
    p.start("mulai", "Permohonan kesaksian", "pengguna")
    p.user("ajukan", "Ajukan permohonan kesaksian", "pengguna", "kesaksian.permohonan", "19(2)")
    p.service("pemohon", "Catat pemohon", "admin_sistem", "kasus.pemohon", "pokja")
    p.user("saksikan", "Buka ulang file di hadapan Pokja", "admin_sistem", "kesaksian.pelaksanaan", "19(2)",
           due="P1D")
    p.user("periksa_ba", "Periksa dan tandatangani Berita Acara Kesaksian", "kepala", "insiden.persetujuan_ba",
           "19(2)", due="P1D")
    p.xor("disetujui", "Disetujui?", "kepala")
    p.service("ba_kesaksian", "Terbitkan Berita Acara Kesaksian", "kepala", "kesaksian.ba", "berita_acara",
              pasal="19(2)")
    p.xor("ke_lkpp", "Perlu LKPP?", "kepala")
    p.script("siapkan_lkpp", "Siapkan penyampaian ke LKPP", "kepala",
             'jenis_surat_lkpp = "SRT-LKPP"\n'
             'perihal_lkpp = "Permohonan pemulihan dokumen penawaran tender " + kode_tender\n'
             'uraian_lkpp = "File " + nama_file + " (SHA-256 " + sha256_file + ") milik " + nama_penyedia + '
             '" tidak dapat dibuka. Berita Acara Kesaksian " + berita_acara["nomor"] + " terlampir."\n'
             'lampiran_lkpp = [berita_acara["dokumen_id"]]')
    p.call("eskalasi", "Teruskan kepada LKPP untuk pemulihan", "kepala", "eskalasi_lkpp", pasal="19(3),15(2)b")
    p.join("siap_kabari", "kepala")
    p.service("kabari", "Sampaikan Berita Acara kepada Pokja", "kepala", "pemberitahuan.catat", "pemberitahuan",
              pasal="19(2)", penerima="pokja", perihal='"Berita Acara Kesaksian " + berita_acara["nomor"]',
              pesan='"Berita Acara Kesaksian tender " + kode_tender + " telah terbit."')
    p.end("selesai", "Kesaksian selesai", "kepala")
    p.chain("mulai", "ajukan", "pemohon", "saksikan", "periksa_ba", "disetujui")
    p.flow("disetujui", "ba_kesaksian", "setuju == True", "setuju")
    p.flow("disetujui", "saksikan", name="perbaiki", default=True)
    p.flow("ba_kesaksian", "ke_lkpp")
    p.flow("ke_lkpp", "siapkan_lkpp", 'hasil_kesaksian == "tidak_dapat_dibuka" and dapat_dipulihkan == True', "ya")
    p.flow("ke_lkpp", "siap_kabari", name="tidak", default=True)
    p.chain("siapkan_lkpp", "eskalasi", "siap_kabari", "kabari", "selesai")
    return p
