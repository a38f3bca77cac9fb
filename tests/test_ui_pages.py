"""The pages without a browser: who may see and do what, and the form drawn from its schema."""
from __future__ import annotations

import io
from datetime import timedelta

from conftest import BPMN, PASSWORD, Browserless
from werkzeug.datastructures import FileStorage, MultiDict

from engine import clock
from engine.services import accounts, announcements
from forms import export
from web.ui import formrender

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _filled_registration(api, as_="penyedia"):
    case = api.start("uji_registrasi", as_=as_)
    docs = [api.call("POST", "/api/v1/documents", as_=as_, expect=201, content_type="multipart/form-data",
                     data={"file": (io.BytesIO(PDF), "scan.pdf")}).get_json()["id"] for _ in range(2)]
    api.complete(case["tasks"][0]["id"], {"nama_perusahaan": "CV Maju", "npwp": "012345678901234",
                                          "bentuk_usaha": "CV", "ktp": docs[0], "akta": docs[1]}, as_=as_)
    return api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="kepala").get_json()


def test_a_supplier_sees_only_their_own_cases_tasks_and_documents(app, api, db, ui):
    api.deploy(BPMN / "registrasi_uji.bpmn")
    with db.unit_of_work() as session:
        accounts.create_user(session, "cv_lain", PASSWORD, ["penyedia"])
    case = _filled_registration(api)
    task_id = case["tasks"][0]["id"]
    ui.login("penyedia")
    assert "Verifikasi dokumen" in ui.get(f"/kasus/{case['id']}").get_data(as_text=True)
    assert f'data-instance="{case["id"]}"' in ui.get("/permohonan").get_data(as_text=True)
    assert 'data-testid="not-yours"' in ui.get(f"/tugas/{task_id}").get_data(as_text=True)  # the verifikator's
    ui.post(f"/tugas/{task_id}", {"disetujui": "true"}, expect=403)

    other = Browserless(app.test_client())
    other.login("cv_lain")
    other.get(f"/kasus/{case['id']}", expect=404)
    other.get(f"/tugas/{task_id}", expect=404)
    assert f'data-instance="{case["id"]}"' not in other.get("/permohonan").get_data(as_text=True)
    other.get("/kotak-masuk", expect=403)
    for doc in api.call("GET", f"/api/v1/process-instances/{case['id']}/documents", as_="kepala").get_json()["items"]:
        assert other.client.get(f"/api/v1/documents/{doc['id']}").status_code == 404
        ui.client.get(f"/api/v1/documents/{doc['id']}").close()


def test_an_auditor_reads_every_case_and_changes_nothing(api, ui):
    api.deploy(BPMN / "registrasi_uji.bpmn")
    case = _filled_registration(api)
    task_id = case["tasks"][0]["id"]
    ui.login("auditor")
    page = ui.get(f"/kasus/{case['id']}").get_data(as_text=True)
    assert 'data-testid="journal-verified"' in page and "Batalkan kasus" not in page
    task_page = ui.get(f"/tugas/{task_id}").get_data(as_text=True)
    assert "Auditor hanya membaca." in task_page and "<fieldset disabled" in task_page.replace('  ', ' ')
    ui.post(f"/tugas/{task_id}", {"disetujui": "true"}, expect=403)
    ui.post(f"/tugas/{task_id}/ambil", expect=403)
    ui.post(f"/kasus/{case['id']}/batalkan", {"reason": "coba"}, expect=403)
    assert api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="auditor").get_json()["state"] == "running"


def test_claim_reassign_and_cancel_from_the_pages(api, ui, app, db):
    with db.unit_of_work() as session:
        accounts.create_user(session, "verif2", PASSWORD, ["verifikator"])
    api.deploy(BPMN / "registrasi_uji.bpmn")
    case = _filled_registration(api)
    task_id = case["tasks"][0]["id"]
    ui.login("verifikator")
    ui.post(f"/tugas/{task_id}/ambil", expect=302)
    assert 'data-testid="assignee">verifikator<' in ui.get(f"/tugas/{task_id}").get_data(as_text=True)
    mine = ui.get("/kotak-masuk?ditangani=me").get_data(as_text=True)
    assert f'data-task="{task_id}"' in mine

    head = Browserless(app.test_client())
    head.login("kepala")
    page = head.get(f"/tugas/{task_id}").get_data(as_text=True)
    assert '<option value="verif2"' in page
    refused = head.post(f"/tugas/{task_id}/alihkan", {"assignee": "verif2", "reason": ""}, expect=422)
    assert "Alasan wajib diisi" in refused.get_data(as_text=True)
    head.post(f"/tugas/{task_id}/alihkan", {"assignee": "verif2", "reason": "Beban kerja"}, expect=302)
    timeline = head.get(f"/kasus/{case['id']}").get_data(as_text=True)
    assert "Tugas dialihkan" in timeline and "Alasan: Beban kerja" in timeline
    ui.post(f"/tugas/{task_id}", {"disetujui": "true"}, expect=403)  # verif2 holds it now

    head.post(f"/kasus/{case['id']}/batalkan", {"reason": ""}, expect=302)
    assert api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="kepala").get_json()["state"] == "running"
    head.post(f"/kasus/{case['id']}/batalkan", {"reason": "Pemohon mengundurkan diri"}, expect=302)
    page = head.get(f"/kasus/{case['id']}").get_data(as_text=True)
    assert 'data-state="cancelled"' in page and "Pemohon mengundurkan diri" in page


def test_registration_page_creates_the_account_and_the_request_in_one_go(app, api, ui, db):
    ui.get("/daftar", expect=503)  # the SOP is not deployed: said plainly
    app.config["REGISTRATION_PROCESS"] = "uji_registrasi"
    api.deploy(BPMN / "registrasi_uji.bpmn")
    ui.get("/daftar")
    form = {"kind": "pengguna", "full_name": "Budi (PPK Dinas PU)", "email": "budi@example.go.id",
            "username": "budi_ppk", "password": "sandi-budi-123", "password_again": "sandi-budi-124"}
    assert "Kedua kata sandi tidak sama" in ui.post("/daftar", form, expect=422).get_data(as_text=True)
    bad = ui.post("/daftar", {**form, "password_again": form["password"], "email": "bukan-email",
                              "username": "ada spasi"}, expect=422).get_data(as_text=True)
    assert "Alamat email tidak valid" in bad and "Nama pengguna 1-64" in bad
    assert accounts.list_users(db)[-1]["username"] != "budi_ppk"  # nothing half-made
    taken = ui.post("/daftar", {**form, "password_again": form["password"], "username": "kepala"}, expect=409)
    assert "sudah dipakai" in taken.get_data(as_text=True)
    done = ui.post("/daftar", {**form, "password_again": form["password"]}, expect=302)
    assert done.headers["Location"].startswith("/tugas/")
    assert [u for u in accounts.list_users(db) if u["username"] == "budi_ppk"][0]["roles"] == ["pengguna"]
    case = api.call("GET", "/api/v1/process-instances", as_="kepala").get_json()["items"][0]
    detail = api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="kepala").get_json()
    assert detail["started_by"] == "budi_ppk"
    assert detail["data"]["jenis_pemohon"] == "pengguna" and detail["data"]["email_pemohon"] == "budi@example.go.id"
    # The new session is signed in as the applicant, who can fill in their own lane's form.
    assert 'data-testid="current-user">budi_ppk<' in ui.get("/permohonan").get_data(as_text=True)


def test_public_announcements_page(ui, db):
    now = clock.now()
    with db.unit_of_work() as session:
        announcements.publish(session, "Gangguan SPSE", "Aplikasi tidak dapat diakses sejak 08.00 WIB.", now,
                              now + timedelta(hours=4), "layanan")
    page = ui.get("/pengumuman").get_data(as_text=True)
    assert "Gangguan SPSE" in page and "08.00 WIB" in page
    clock.advance(timedelta(hours=5))
    assert 'data-testid="no-announcements"' in ui.get("/pengumuman").get_data(as_text=True)


def test_the_form_is_drawn_from_its_schema_and_read_back_in_its_types():
    schema = export.json_schema("uji.pendaftaran", "en")
    fields = {f.name: f for f in formrender.fields_of(schema, {"npwp": "1"}, {"npwp": ["bad"], "_documents": ["x"]})}
    assert fields["ktp"].kind == "document" and fields["ktp"].title == "Identity card (KTP) scan"
    assert fields["bentuk_usaha"].kind == "select" and ("PT", "PT") in fields["bentuk_usaha"].options
    assert fields["catatan"].kind == "textarea" and fields["npwp"].errors == ["bad"] and fields["npwp"].required
    assert formrender.other_errors(schema, {"npwp": ["bad"], "_documents": ["x"], "hack": ["Unknown"]}) == \
        ["x", "hack: Unknown"]

    keputusan = export.json_schema("umum.keputusan")
    stored = []

    def store(upload):
        stored.append(upload.filename)
        return "f" * 32

    form = MultiDict({"disetujui": "false", "alasan": ""})
    assert formrender.parse(keputusan, form, MultiDict(), store, "Asia/Jakarta") == ({"disetujui": False}, {})
    files = MultiDict({"ktp": FileStorage(io.BytesIO(PDF), "ktp.pdf")})
    form = MultiDict({"nama_perusahaan": "CV", "akta__kept": "a" * 32, "npwp": ""})
    data, errors = formrender.parse(schema, form, files, store, "Asia/Jakarta")
    assert data == {"nama_perusahaan": "CV", "ktp": "f" * 32, "akta": "a" * 32} and errors == {}
    assert stored == ["ktp.pdf"]
