"""/metrics on the real outbox: the backlog, the lag of the oldest due delivery and the failures, per channel
(webhook and e-mail), after real deliveries to a receiver that answers 410 and an SMTP server that refuses."""
from __future__ import annotations

from datetime import timedelta

from conftest import BPMN
from engine import clock
from test_metrics import _scrape
from test_notifications import APPLICANT, register_and_decide, smtp  # noqa: F401 - fixture
from test_webhooks import deliver_until_idle, receiver, subscribe  # noqa: F401 - fixture


def test_the_outbox_reports_backlog_lag_and_failures_per_channel(app, api, db, receiver, smtp):  # noqa: F811
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    smtp.refuse_rcpt["tidakada@majujaya.co.id"] = "550 5.1.1 No such user"
    receiver.status = 410
    subscribe(api, receiver.url, ["instance.started"])
    api.deploy(BPMN / "notifikasi.bpmn")
    register_and_decide(api, {**APPLICANT, "email_pemohon": "tidakada@majujaya.co.id"}, {"disetujui": True})
    deliver_until_idle(app)  # the webhook is gone (410), the address is refused (550): both dead letters
    m = _scrape(api, as_="admin_sistem")
    assert m[("alur_outbox_messages", (("channel", "webhook"), ("state", "failed")))] == 1
    assert m[("alur_outbox_messages", (("channel", "email"), ("state", "failed")))] == 1
    assert m[("alur_deliveries_failed_total", (("outbox", "outbox"),))] == 2
    assert m[("alur_outbox_lag_seconds", ())] == 0

    smtp.stop()  # the mail server goes away: the next approval waits in the outbox, and the wait shows
    register_and_decide(api, APPLICANT, {"disetujui": True})
    clock.advance(timedelta(minutes=3))
    m = _scrape(api, as_="admin_sistem")
    assert m[("alur_outbox_messages", (("channel", "email"), ("state", "pending")))] == 1
    # The e-mail waits; the endpoint the 410 disabled gets no new rows.
    assert m[("alur_outbox_backlog", (("outbox", "outbox"),))] == 1
    assert 175 <= m[("alur_outbox_lag_seconds", ())] <= 185
