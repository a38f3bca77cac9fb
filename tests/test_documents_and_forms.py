"""Forms validate submissions field by field; document scans are type-checked, stored outside the
database, linked to the case and journaled by their SHA-256."""
from __future__ import annotations

import hashlib
import io

from conftest import BPMN

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(api, content: bytes, name: str, as_: str = "penyedia", expect: int = 201):
    return api.call("POST", "/api/v1/documents", as_=as_, expect=expect, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(content), name)}).get_json()


def test_a_form_with_an_upload_validates_links_and_journals_the_document(api, app):
    api.deploy(BPMN / "forms.bpmn")
    case = api.start("uji_formulir")
    task = case["tasks"][0]
    assert task["form"] == "umum.lampiran"

    schema = api.call("GET", "/api/v1/forms/umum.lampiran", as_="penyedia", expect=200).get_json()
    assert schema["required"] == ["dokumen"]
    assert schema["properties"]["dokumen"]["format"] == "x-document"
    english = api.call("GET", "/api/v1/forms/umum.lampiran?lang=en", as_="penyedia", expect=200).get_json()
    assert english["properties"]["keterangan"]["title"] == "Description"

    missing = api.complete(task["id"], {"keterangan": "akta"}, expect=422)
    assert "dokumen" in missing["errors"]
    unknown = api.complete(task["id"], {"dokumen": "0" * 32}, expect=422)
    assert "_documents" in unknown["errors"]

    doc = _upload(api, PDF, "akta pendirian.pdf")
    assert doc["content_type"] == "application/pdf" and doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    api.complete(task["id"], {"dokumen": doc["id"], "keterangan": "akta"})

    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    completed = [e for e in events["items"] if e["type"] == "task.completed"][0]
    assert completed["data"]["documents"][0]["sha256"] == doc["sha256"]

    review = api.inbox("verifikator")["items"][0]
    assert review["due_at"] is not None  # the `due` property (P3D) sets the service level
    bad = api.complete(review["id"], {"disetujui": "mungkin"}, as_="verifikator", expect=422)
    assert "disetujui" in bad["errors"]
    extra = api.complete(review["id"], {"disetujui": True, "hack": 1}, as_="verifikator", expect=422)
    assert "hack" in extra["errors"]
    done = api.complete(review["id"], {"disetujui": True}, as_="verifikator")
    assert done["state"] == "completed" and done["data"]["status"] == "disetujui"

    # The verifikator downloads it; the bytes are the uploaded bytes.
    body = api.call("GET", f"/api/v1/documents/{doc['id']}", as_="verifikator", expect=200)
    content = body.get_data()
    body.close()
    assert content == PDF and body.headers["Content-Type"] == "application/pdf"


def test_only_pdf_jpeg_and_png_up_to_the_limit_are_accepted(api, app):
    for content, name in [(b"MZ\x90\x00 not a scan", "virus.pdf"), (b"<html>", "x.png"), (b"", "kosong.pdf")]:
        problem = _upload(api, content, name, expect=422)
        assert "file" in problem["errors"]
    png = _upload(api, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "ktp.exe")
    assert png["content_type"] == "image/png" and png["filename"].endswith(".png")
    assert app.config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    app.config["MAX_UPLOAD_BYTES"] = 4096  # the same check, without pushing 5 MB through the test client
    problem = _upload(api, b"%PDF-" + b"0" * 4096, "besar.pdf", expect=413)
    assert "4 KB" in problem["detail"]
    _upload(api, PDF, "x.pdf", as_="auditor", expect=403)


def test_another_supplier_cannot_download_a_document(api, db):
    from engine.services.accounts import create_user

    with db.unit_of_work() as session:
        create_user(session, "cv_lain", "sandi-panjang-1", ["penyedia"])
    doc = _upload(api, PDF, "npwp.pdf")
    token = api.client.post("/api/v1/auth/token", json={"username": "cv_lain", "password": "sandi-panjang-1"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert api.client.get(f"/api/v1/documents/{doc['id']}", headers=headers).status_code == 404
    for reader in ("penyedia", "auditor"):
        api.call("GET", f"/api/v1/documents/{doc['id']}", as_=reader, expect=200).close()
