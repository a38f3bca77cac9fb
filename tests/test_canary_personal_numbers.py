"""A canary NIK and NPWP (valid, python-stdnum) entered through the registration SOP never leave Alur.

Everything runs as in production: gunicorn and the worker as processes of their own (their whole output
captured, at DEBUG), a webhook endpoint subscribed to every event on a real loopback receiver, the
notification e-mails on a real SMTP sink. The canary goes in through the forms over HTTP (the API and
the browser form), and inside invalid requests too; afterwards it is searched for, bare and in any
formatting (dots, dashes, spaces between the digits), in the server's and the worker's logs, every file
the app wrote under its VAR_DIR except the documents, every error body, every webhook request and
every e-mail.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from conftest import PASSWORD
from crashharness import Server
from engine.models import OutboxMessage, User
from engine.models.outbox import PENDING
from raceharness import call
from receivers import Receiver, SmtpSink, free_port
from workerproc import kill, start_worker

BPMN_DIR = Path(__file__).resolve().parents[1] / "workflows" / "bpmn"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NIK = "3505124108850003"
NPWP = "092542943407000"
NPWP_DOTTED = "09.254.294.3-407.000"


def leaks(text: str) -> list[str]:
    """Where either canary appears in ``text``, bare or with up to two separators between its digits."""
    found = []
    for canary in (NIK, NPWP):
        pattern = r"\D{0,2}".join(canary)
        found += [text[max(0, m.start() - 60):m.end() + 20] for m in re.finditer(pattern, text)]
    return found


def test_the_canary_is_valid():
    assert stdnum_nik.is_valid(NIK) and stdnum_npwp.is_valid(NPWP) and stdnum_npwp.format(NPWP) == NPWP_DOTTED
    assert leaks(f"a {NIK} b") and leaks(NPWP_DOTTED) and leaks("3505-1241-0885-0003") and not leaks("3505****0003")


def _upload(base: str, token: str, name: str) -> str:
    import http.client
    from urllib.parse import urlparse

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    parsed = urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    connection.request("POST", "/api/v1/documents", body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    assert response.status == 201, payload
    return payload["id"]


def _form(documents: dict, **change) -> dict:
    data = {"nama_perusahaan": "CV Kenari Uji", "bentuk_usaha": "cv", "nib": "9120001234568", "npwp": NPWP_DOTTED,
            "nama_penanggung_jawab": "Kenari Uji", "jabatan": "Direktur", "nik": NIK, "alamat": "Jl. Kenari 1",
            "provinsi": "Jawa Timur", "kota": "Blitar", "email": "kenari@example.id", "telepon": "+62 812-0000-1111",
            "nama_pengguna": "cvkenari", "kata_sandi": "sandi-kenari-panjang", **documents}
    data.update(change)
    return data


@pytest.fixture
def production(app, api, db, database_url, tmp_path):
    """gunicorn + worker + a webhook receiver subscribed to '*' + an SMTP sink, on the test database."""
    api.deploy(*sorted(BPMN_DIR.glob("*.bpmn")))
    with db.unit_of_work() as session:  # staff with addresses, so the task notifications go out by e-mail
        session.execute(update(User).values(email=User.username + "@lpse.example.id"))
    receiver, sink = Receiver().start(), SmtpSink().start()
    settings = {"ALUR_LOG_LEVEL": "DEBUG", "ALUR_WEBHOOK_ALLOW_HOSTS": "127.0.0.1", "ALUR_SMTP_HOST": "127.0.0.1",
                "ALUR_SMTP_PORT": str(sink.port), "ALUR_SMTP_SECURITY": "none",
                "ALUR_DELIVERY_TIMEOUT_SECONDS": "5", "ALUR_REGISTRATION_PROCESS": "registrasi_pengguna"}
    server = Server(database_url, tmp_path, free_port(), log=tmp_path / "server.log", **settings)
    server.start()
    worker = start_worker(database_url, tmp_path, **settings)
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{server.port}"
        admin = call(base, "POST", "/api/v1/auth/token", body={"username": "admin_sistem", "password": PASSWORD})[1]
        status, _ = call(base, "POST", "/api/v1/webhooks", admin["token"], {"url": receiver.url, "events": ["*"]})
        assert status == 201
        yield base, receiver, sink, worker
    finally:
        kill(worker)
        server.stop()
        receiver.stop()
        sink.stop()


def _settle(db, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.reader() as session:
            if session.scalar(select(OutboxMessage.id).where(OutboxMessage.state == PENDING).limit(1)) is None:
                return
        time.sleep(0.2)
    raise AssertionError("the outbox did not empty")


def test_a_canary_nik_and_npwp_never_leave_through_logs_errors_webhooks_or_mail(production, db, tmp_path):
    base, receiver, sink, worker = production
    token = {r: call(base, "POST", "/api/v1/auth/token", body={"username": r, "password": PASSWORD})[1]["token"]
             for r in ("penyedia", "layanan", "verifikator", "sekretariat")}
    errors: list[str] = []

    def expect(status: int, method: str, path: str, as_: str | None, body=None) -> dict:
        got, answer = call(base, method, path, token.get(as_), body)
        assert got == status, (method, path, got, answer)
        if got >= 400:
            errors.append(json.dumps(answer, ensure_ascii=False))
        return answer

    status, case = call(base, "POST", "/api/v1/process-instances", token["penyedia"],
                        {"process": "registrasi_pengguna", "data": {}})
    assert status == 201, case
    documents = {k: _upload(base, token["penyedia"], f"{k}.pdf")
                 for k in ("ktp", "akta_pendirian", "dok_npwp", "izin_usaha")}
    task = case["tasks"][0]["id"]
    complete = f"/api/v1/tasks/{task}/complete"
    # Invalid requests carrying the canary: what comes back says what to fix, without repeating it.
    expect(422, "POST", complete, "penyedia", {"data": _form(documents, email="bukan-surel")})
    expect(422, "POST", complete, "penyedia", {"data": _form(documents, nik=NPWP, npwp=NIK)})
    expect(422, "POST", complete, "penyedia", {"data": _form(documents, nik=NIK + "9", telepon=NIK)})
    expect(422, "POST", complete, "penyedia", {"data": _form(documents, nik=int(NIK))})
    expect(404, "GET", f"/api/v1/process-instances/{NIK}", "penyedia")
    expect(404, "GET", f"/api/v1/tasks/{NPWP}/form", "penyedia")
    expect(404, "POST", "/api/v1/process-instances", "penyedia", {"process": f"registrasi_{NIK}", "data": {}})
    expect(422, "GET", f"/api/v1/tasks?limit={NIK}", "penyedia")
    expect(401, "POST", "/api/v1/auth/token", None, {"username": NIK, "password": NPWP_DOTTED})
    # The real thing, then the SOP to its end: checked, verified, approved, archived.
    expect(200, "POST", complete, "penyedia", {"data": _form(documents)})
    for element, role, data in (
            ("periksa_kelengkapan", "layanan", {"daftar_hitam_nasional": "tidak_tercantum", "dokumen_lengkap": True,
                                                "keputusan": "lanjut"}),
            ("verifikasi", "verifikator", {"asli_sesuai_salinan": True, "data_daring_sesuai": True,
                                           "identitas_terautentikasi": True, "keputusan": "setuju"}),
            ("arsipkan", "sekretariat", {"nomor_berkas": "REG/2026/777", "lokasi_fisik": "Lemari K"})):
        inbox = expect(200, "GET", "/api/v1/tasks?limit=100", role)["items"]
        [open_task] = [t for t in inbox if t["instance_id"] == case["id"] and t["element_id"] == element]
        expect(200, "POST", f"/api/v1/tasks/{open_task['id']}/complete", role, {"data": data})
    assert expect(200, "GET", f"/api/v1/process-instances/{case['id']}", "sekretariat")["state"] == "completed"
    _settle(db)
    time.sleep(0.5)  # the last log lines of the worker

    webhooks = [r.body.decode() + json.dumps(r.headers) for r in receiver.received]
    mails = [message.as_string() for _from, _to, message, _auth, _tls in sink.messages]
    assert any("registration.approved" in w for w in webhooks), "the SOP's own events went out"
    assert mails and len(errors) == 9
    logs = {p: p.read_text(errors="replace") for p in Path(tmp_path).rglob("*")
            if p.is_file() and p.suffix in (".log", ".txt", ".eml", ".json", "")}
    logs = {p: t for p, t in logs.items() if "documents" not in p.parts and not p.name.startswith("alur.db")}
    assert any("server.log" == p.name for p in logs) and sum(len(t) for t in logs.values()) > 10_000
    found = {f"error {i}": leaks(e) for i, e in enumerate(errors)}
    found |= {f"webhook {i}": leaks(w) for i, w in enumerate(webhooks)}
    found |= {f"mail {i}": leaks(m) for i, m in enumerate(mails)}
    found |= {str(p.relative_to(tmp_path)): leaks(t) for p, t in logs.items()}
    leaked = {where: hits for where, hits in found.items() if hits}
    assert leaked == {}, "\n".join(f"{where}: {hits[:3]}" for where, hits in leaked.items())
