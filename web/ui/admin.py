"""The admin pages of ``admin_sistem``: webhook subscriptions and their delivery log, incidents, and the
long jobs (backup, report, journal verification) with their progress for whoever started them.

Thin views over the same service functions as ``/api/v1/webhooks``, ``/api/v1/incidents`` and
``/api/v1/jobs``; every form carries the CSRF token (``web/ui/security.py``).
"""
from __future__ import annotations

import json
import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.errors import ValidationFailed
from engine.roles import ROLES
from engine.services import incidents, jobs
from notifications import devmail
from webhooks import events, subscriptions

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import nav

bp = Blueprint("admin", __name__)
ADMIN = "admin_sistem"
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
INCIDENT_FIXERS = ("admin_sistem", "kepala", "analis")  # may retry (as the API)
INCIDENT_CLOSERS = ("admin_sistem", "kepala")  # may resolve with a reason (as the API)

nav.add("admin.webhooks", _l("Webhook"), roles={ADMIN}, order=60)
nav.add("admin.incidents_page", _l("Insiden"), roles=set(incidents.READERS), order=61)
nav.add("admin.jobs_page", _l("Pekerjaan"), roles={ADMIN, "kepala"}, order=62)  # whoever starts a kind
nav.add("admin.mail", _l("Surat (pengembangan)"), roles={ADMIN}, order=65)


def _events_of(text: str) -> list[str]:
    return [e for e in (part.strip() for part in text.replace("\n", ",").split(",")) if e]


# --- webhooks ----------------------------------------------------------------------------------------

@bp.route("/admin/webhook")
@roles(ADMIN)
def webhooks():
    return _webhook_list()


def _webhook_list(form: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template("admin/webhooks.html", endpoints=subscriptions.list_endpoints(database()),
                           known=events.KNOWN, form=form or {"events": "*"}, errors=errors or {}), status


@bp.route("/admin/webhook", methods=["POST"])
@roles(ADMIN)
def create_webhook():
    form = {k: request.form.get(k, "").strip() for k in ("url", "events", "description")}
    try:
        created = subscriptions.create(database(), principal(), engine_config(), form["url"],
                                       _events_of(form["events"]), form["description"])
    except ValidationFailed as exc:
        return _webhook_list(form, exc.errors if isinstance(exc.errors, dict) else {}, 422)
    # The secret is on this page only: it is not stored in the session, nor shown again.
    return render_template("admin/webhook_secret.html", endpoint=created, rotated=False), 201


@bp.route("/admin/webhook/<int:endpoint_id>")
@roles(ADMIN)
def webhook(endpoint_id):
    state = request.args.get("status") or None
    endpoint = subscriptions.get(database(), endpoint_id)
    items = subscriptions.deliveries(database(), endpoint_id, state=state, limit=100)
    return render_template("admin/webhook.html", endpoint=endpoint, deliveries=items, state=state)


@bp.route("/admin/webhook/<int:endpoint_id>/pengiriman/<int:delivery_id>")
@roles(ADMIN)
def delivery(endpoint_id, delivery_id):
    endpoint = subscriptions.get(database(), endpoint_id)
    item = subscriptions.delivery(database(), endpoint_id, delivery_id)
    try:
        body = json.dumps(json.loads(item["body"]), indent=2, ensure_ascii=False)
    except ValueError:
        body = item["body"]
    return render_template("admin/delivery.html", endpoint=endpoint, item=item, body=body)


@bp.route("/admin/webhook/<int:endpoint_id>/jeda", methods=["POST"])
@roles(ADMIN)
def pause_webhook(endpoint_id):
    subscriptions.pause(database(), endpoint_id, request.form.get("reason", "").strip()[:500] or None)
    flash(_("Webhook dijeda: peristiwa baru ditahan sampai dilanjutkan."), "info")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))


@bp.route("/admin/webhook/<int:endpoint_id>/lanjutkan", methods=["POST"])
@roles(ADMIN)
def resume_webhook(endpoint_id):
    subscriptions.resume(database(), endpoint_id)
    flash(_("Webhook aktif lagi: yang ditahan dikirim sekarang."), "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))


@bp.route("/admin/webhook/<int:endpoint_id>/rotasi", methods=["POST"])
@roles(ADMIN)
def rotate_webhook(endpoint_id):
    rotated = subscriptions.rotate_secret(database(), endpoint_id)
    return render_template("admin/webhook_secret.html", endpoint=rotated, rotated=True)


@bp.route("/admin/webhook/<int:endpoint_id>/uji", methods=["POST"])
@roles(ADMIN)
def test_webhook(endpoint_id):
    subscriptions.send_test(database(), endpoint_id, principal())
    flash(_("Peristiwa uji diantrekan; pekerja akan mengirimnya."), "info")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))


@bp.route("/admin/webhook/<int:endpoint_id>/hapus", methods=["POST"])
@roles(ADMIN)
def delete_webhook(endpoint_id):
    subscriptions.delete(database(), endpoint_id)
    flash(_("Webhook dihapus; log pengirimannya disimpan."), "info")
    return redirect(url_for("admin.webhooks"))


@bp.route("/admin/webhook/<int:endpoint_id>/pengiriman/<int:delivery_id>/kirim-ulang", methods=["POST"])
@roles(ADMIN)
def redeliver(endpoint_id, delivery_id):
    subscriptions.redeliver(database(), endpoint_id, delivery_id)
    flash(_("Pengiriman diantrekan lagi dengan webhook-id yang sama."), "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))


@bp.route("/admin/webhook/<int:endpoint_id>/kirim-ulang-gagal", methods=["POST"])
@roles(ADMIN)
def redeliver_failed(endpoint_id):
    count = subscriptions.redeliver_failed(database(), endpoint_id)
    flash(_("%(count)s pengiriman gagal diantrekan lagi.", count=count), "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))


# --- incidents ---------------------------------------------------------------------------------------

STATUS_CHOICES = ("active", "retrying", "open", "resolved", "all")


@bp.route("/admin/insiden")
@roles(*incidents.READERS)
def incidents_page():
    return _incident_list()


def _incident_list(errors: dict | None = None, status_code: int = 200):
    status = request.args.get("status") if request.args.get("status") in STATUS_CHOICES else "active"
    items, counts = incidents.list_incidents(database(), principal(), status=None if status == "all" else status,
                                             limit=100)
    who = principal()
    return render_template("admin/incidents.html", items=items, counts=counts, status=status, errors=errors or {},
                           may_retry=who.has(*INCIDENT_FIXERS), may_resolve=who.has(*INCIDENT_CLOSERS)), status_code


@bp.route("/admin/insiden/<int:incident_id>/ulangi", methods=["POST"])
@roles(*INCIDENT_FIXERS)
def retry_incident(incident_id):
    incidents.retry(database(), incident_id, principal(), engine_config(), g.request_id,
                    request.form.get("reason", "").strip() or None)
    flash(_("Insiden #%(id)s dijalankan ulang.", id=incident_id), "success")
    return redirect(url_for("admin.incidents_page"))


@bp.route("/admin/insiden/<int:incident_id>/selesaikan", methods=["POST"])
@roles(*INCIDENT_CLOSERS)
def resolve_incident(incident_id):
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > 2000:
        message = _("Tulis alasannya (1 sampai 2000 karakter): alasan dicatat di jurnal kasus.")
        return _incident_list({incident_id: message}, 422)
    incidents.resolve(database(), incident_id, principal(), reason, g.request_id)
    flash(_("Insiden #%(id)s diselesaikan.", id=incident_id), "success")
    return redirect(url_for("admin.incidents_page", status="resolved"))


# --- long jobs ---------------------------------------------------------------------------------------

@bp.route("/pekerjaan")
@roles(*ROLES)
def jobs_page():
    who = principal()
    startable = [k for k in jobs.kinds() if who.has(*k.roles) and not k.name.startswith("uji.")]
    return render_template("admin/jobs.html", items=jobs.list_jobs(database(), who), kinds=startable)


@bp.route("/pekerjaan", methods=["POST"])
@roles(*ACTORS)
def start_job():
    params = {}
    quarter = request.form.get("triwulan", "").strip()
    if request.form.get("kind") == "report.quarterly" and quarter:
        if not QUARTER.match(quarter):
            raise ValidationFailed("Triwulan ditulis seperti 2026-Q4. / Write the quarter like 2026-Q4.",
                                   {"triwulan": ["Contoh / example: 2026-Q4"]})
        params["triwulan"] = quarter
    job = jobs.submit(database(), request.form.get("kind", ""), params, principal())
    flash(_("Pekerjaan #%(id)s diantrekan; kemajuannya tampil di sini.", id=job.id), "success")
    return redirect(url_for("admin.job", job_id=job.id))


@bp.route("/pekerjaan/<int:job_id>")
@roles(*ROLES)
def job(job_id):
    item = jobs.get(database(), job_id, principal())
    result = json.dumps(item.result, indent=2, ensure_ascii=False, default=str) if item.result else None
    return render_template("admin/job.html", job=item, result=result)


# --- the development mode's mail folder ---------------------------------------------------------------

@bp.route("/admin/surat")
@roles(ADMIN)
def mail():
    config = engine_config()
    return render_template("admin/mail.html", enabled=devmail.enabled(config),
                           items=devmail.list_kept(config) if devmail.enabled(config) else [], item=None)


@bp.route("/admin/surat/<name>")
@roles(ADMIN)
def mail_message(name):
    return render_template("admin/mail.html", enabled=True, items=[], item=devmail.read(engine_config(), name))
