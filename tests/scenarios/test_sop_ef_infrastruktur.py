"""SOP (e) the daily capacity check on the real host, and SOP (f) the backup that really copies the
database and files, restores them, and goes to off-site custody; a failed backup opens an incident."""
from __future__ import annotations

import socket
import tarfile
from pathlib import Path

import pytest


@pytest.fixture
def listener():
    """A real TCP service on loopback standing in for a host the server must reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def _closed_port() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"127.0.0.1:{port}"


def test_a_normal_day_measures_the_real_host_and_ends_by_itself(sop, app, listener):
    app.config.update(KAPASITAS_TUJUAN_KONEKSI=listener, KAPASITAS_AKSES_LKPP=listener,
                      KAPASITAS_BATAS_CPU=101, KAPASITAS_BATAS_RAM=101, KAPASITAS_BATAS_DISK=101)
    case = sop.start("kapasitas_harian", {"scheduled_for": "2026-11-26T07:00:00+07:00"}, as_="admin_sistem")
    assert case["state"] == "completed"
    reading = case["data"]["pengukuran"]
    assert 0 <= reading["ram_persen"] <= 100 and reading["ram_total"] > 0
    assert reading["disk"] and all(p["total"] > 0 for p in reading["disk"])
    assert reading["basis_data_byte"] > 0 and reading["jaringan"]["diterima"] >= 0
    assert [c["ok"] for c in reading["konektivitas"] + reading["akses_lkpp"]] == [True, True]
    assert reading["kritis"] is False
    measured = sop.of_type(case["id"], "kapasitas.diukur")[0]
    assert measured["pasal"] == "21(1),21(2),21(3),21(5),21(6)"


def test_over_a_threshold_the_administrator_analyses_and_the_head_decides(sop, app):
    app.config.update(KAPASITAS_BATAS_DISK=0, KAPASITAS_TUJUAN_KONEKSI=_closed_port())
    case = sop.start("kapasitas_harian", as_="admin_sistem")
    reading = sop.case(case["id"])["data"]["pengukuran"]
    assert reading["kritis"] and any(m.startswith("disk") for m in reading["melewati"])
    assert any(m.startswith("tidak tersambung") for m in reading["melewati"])
    analysis = {"analisis": "Partisi data hampir penuh", "usulan": "tambah_disk", "rencana": "Tambah SSD 1 TB"}
    sop.do(case["id"], "analisis", "admin_sistem", analysis)
    sop.do(case["id"], "putuskan", "kepala", {"disetujui": True})
    done = sop.do(case["id"], "laksanakan", "admin_sistem", {"hasil_pelaksanaan": "SSD terpasang",
                                                             "selesai_pada": "2026-11-27T10:00:00+07:00"})
    assert done["state"] == "completed"

    refused = sop.start("kapasitas_harian", as_="admin_sistem")
    sop.do(refused["id"], "analisis", "admin_sistem", analysis)
    done = sop.do(refused["id"], "putuskan", "kepala", {"disetujui": False, "catatan_kepala": "Pantau seminggu"})
    assert done["state"] == "completed" and "laksanakan" not in done["elements"]


def test_a_backup_copies_database_and_files_proves_the_restore_and_goes_off_site(sop, app, tmp_path, db):
    app.config["BACKUP_DIR"] = str(tmp_path / "cadangan")
    scan = sop.upload("bukti.pdf")  # an uploaded file that must be in the archive
    case = sop.start("pencadangan", {"scheduled_for": "2026-11-29T01:00:00+07:00"}, as_="admin_sistem")
    backup = case["data"]["cadangan"]
    assert backup["berhasil"] is True, backup
    archive = Path(app.config["BACKUP_DIR"]) / backup["arsip"]
    assert archive.exists() and len(backup["sha256"]) == 64
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(n.endswith("MANIFEST.sha256") for n in names)
    assert any(n.endswith("basis_data.sqlite") or n.endswith("basis_data.dump") for n in names)
    assert backup["jumlah_berkas"] >= 1 and backup["baris_dipulihkan"]["users"] == 9
    deployed = sop.api.call("GET", "/api/v1/process-definitions", as_="auditor", expect=200).get_json()["items"]
    assert backup["baris_dipulihkan"]["process_versions"] == len(deployed)  # every deployed SOP is in it
    assert scan  # its bytes are under berkas/
    assert any("/berkas/" in n and not n.endswith("/berkas") for n in names)

    sop.do(case["id"], "label", "admin_sistem", {"media": "hdd_eksternal", "nomor_seri_media": "WX12345",
                                                  "label": "ALUR-2026-W48", "sha256_diperiksa": True})
    sop.do(case["id"], "serah_terima", "sekretariat", {"diserahkan_oleh": "Admin", "diterima_oleh": "Sekretariat",
                                                        "waktu_serah_terima": "2026-11-30T09:00:00+07:00"})
    done = sop.do(case["id"], "simpan", "sekretariat", {"lokasi_penyimpanan": "Brankas Bagian Umum Setda",
                                                         "media_ditarik": "ALUR-2026-W44"})
    assert done["state"] == "completed"


def test_a_failed_backup_opens_an_incident(sop, app, tmp_path):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("a file where the backup folder should be")
    app.config["BACKUP_DIR"] = str(blocker)
    case = sop.start("pencadangan", as_="admin_sistem")
    assert case["state"] == "completed" and case["data"]["cadangan"]["berhasil"] is False
    incident_id = case["data"]["insiden"]["kasus_insiden"]
    incident = sop.case(incident_id)
    assert incident["process_id"] == "penanganan_masalah" and incident["started_by"] == "system"
    assert incident["data"]["uraian"].startswith("Pencadangan gagal")
    assert [t["element_id"] for t in incident["tasks"]] == ["catat"]
    assert sop.of_type(case["id"], "insiden.dibuka")[0]["data"]["kasus_insiden"] == incident_id
