"""Parts several SOPs share, called as call activities."""
from __future__ import annotations

from .builder import Process


def eskalasi_lkpp() -> Process:
    """A letter to LKPP (numbered PDF), sent as a BPMN message; LKPP's answer comes back as a message.

    The caller sets ``jenis_surat_lkpp`` (USUL-NA or SRT-LKPP), ``perihal_lkpp``, ``uraian_lkpp`` and
    ``lampiran_lkpp`` (document ids); the answer is ``jawaban_lkpp``.
    """
    p = Process("eskalasi_lkpp", "Penyampaian kepada LKPP dan jawabannya", ["kepala"],
                starter_roles="kepala",
                documentation="Bagian bersama: surat bernomor kepada LKPP dikirim sebagai pesan BPMN "
                              "'permohonan_lkpp'; jawaban LKPP diterima sebagai pesan 'jawaban_lkpp'.")
    p.start("mulai", "Perlu penyampaian ke LKPP", "kepala")
    p.service("surat", "Terbitkan surat kepada LKPP", "kepala", "lkpp.surat", "surat_lkpp", pasal="15(2)b",
              jenis="jenis_surat_lkpp", perihal="perihal_lkpp", uraian="uraian_lkpp", lampiran="lampiran_lkpp")
    p.send("kirim", "Kirim ke LKPP", "kepala", "permohonan_lkpp",
           '{"nomor": surat_lkpp["nomor"], "perihal": perihal_lkpp, "uraian": uraian_lkpp, '
           '"dokumen_id": surat_lkpp["dokumen_id"], "lampiran": lampiran_lkpp}', pasal="15(2)b,19(3)")
    p.receive("jawaban", "Jawaban LKPP diterima", "kepala", "jawaban_lkpp", "jawaban_lkpp", pasal="15(2)b")
    p.service("catat_jawaban", "Catat jawaban LKPP", "kepala", "umum.catat", "catatan_lkpp",
              nomor_surat='surat_lkpp["nomor"]', isi_jawaban="jawaban_lkpp")
    p.end("selesai", "Jawaban tercatat", "kepala")
    p.chain("mulai", "surat", "kirim", "jawaban", "catat_jawaban", "selesai")
    return p
