"""The SOPs' own notices reach people: SOP (a)'s approval and its rejection with the reason arrive by e-mail
at a real SMTP server on loopback and in the applicant's in-app list, rendered with the editable template
``pemberitahuan``; an applicant's refused address is recorded for sekretariat and the case still completes."""
from __future__ import annotations

from test_notifications import smtp  # noqa: F401 - fixture
from .test_sop_a_registrasi import arsipkan, lengkap, mulai_penyedia, setuju
from test_webhooks import deliver_until_idle


def _mail_to(smtp, address: str) -> list:  # noqa: F811
    return [m for _s, rcpt, m, *_ in smtp.messages if rcpt == [address]]


def test_the_approval_reaches_the_applicant_by_email_and_in_the_app(sop, app, smtp):  # noqa: F811
    case_id = mulai_penyedia(sop)
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", setuju())
    deliver_until_idle(app)
    approvals = [m for m in _mail_to(smtp, "cv.maju@example.id") if "disetujui" in m["Subject"]]
    assert len(approvals) == 1  # the new account and its address are one person: one e-mail
    assert approvals[0]["Subject"] == f"Pendaftaran pengguna SPSE disetujui (kasus {case_id})"
    text = approvals[0].get_body(preferencelist=("plain",)).get_content()
    assert "User ID: cvmajujaya" in text and "-- English --" in text
    token = sop.api.client.post("/api/v1/auth/token", json={"username": "cvmajujaya",
                                                            "password": "sandi-rahasia-penyedia"}).get_json()["token"]
    listed = sop.api.client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed["unread"] >= 1
    assert any(n["title"].startswith("Pendaftaran pengguna SPSE disetujui") for n in listed["items"])
    assert arsipkan(sop, case_id)["state"] == "completed"


def test_the_rejection_reaches_the_applicant_with_its_reason(sop, app, smtp):  # noqa: F811
    case_id = mulai_penyedia(sop)
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", {**setuju(), "asli_sesuai_salinan": False, "keputusan": "tolak",
                                                  "alasan_kode": "asli_tidak_sesuai",
                                                  "alasan": "Alamat pada akta berbeda dengan data daring"})
    deliver_until_idle(app)
    [rejection] = [m for m in _mail_to(smtp, "cv.maju@example.id") if "ditolak" in m["Subject"]]
    assert "Alamat pada akta berbeda dengan data daring" in rejection.get_body(
        preferencelist=("plain",)).get_content()


def test_a_refused_applicant_address_is_listed_for_sekretariat_and_the_case_goes_on(sop, app, smtp):  # noqa: F811
    smtp.refuse_rcpt["cv.maju@example.id"] = "550 5.1.1 No such user"
    case_id = mulai_penyedia(sop)
    lengkap(sop, case_id)
    sop.do(case_id, "verifikasi", "verifikator", setuju())
    deliver_until_idle(app)
    failures = sop.api.call("GET", "/api/v1/notifications/failures", as_="sekretariat",
                            expect=200).get_json()["items"]
    assert any(f["instance_id"] == case_id and f["recipient"] == "cv.maju@example.id" and f["last_status"] == 550
               for f in failures)
    assert arsipkan(sop, case_id)["state"] == "completed"
