"""Each person's in-app notifications (the unread count in the page header), their e-mail choice (one
e-mail per task, a daily digest, or none), the failed e-mails ``sekretariat`` sees and resends, and the
notification templates edited without code. Thin views over ``notifications/inbox.py``."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.errors import AlurError, ValidationFailed
from engine.principal import Principal
from engine.roles import ROLES
from notifications import inbox

from ..auth import principal, roles
from ..extensions import database, engine_config
from . import nav

bp = Blueprint("notifications_page", __name__)
FRONT_OFFICE = ("sekretariat", "admin_sistem", "kepala")  # see failed e-mails (as the API)
RESENDERS = ("sekretariat", "admin_sistem")
EDITORS = ("sekretariat", "analis")  # edit templates (as the API); admin_sistem reads them

nav.add("notifications_page.failures", _l("E-mail gagal"), roles=set(FRONT_OFFICE), order=63)
nav.add("notifications_page.templates", _l("Templat pemberitahuan"), roles={*EDITORS, "admin_sistem"}, order=64)


def _unread(who: Principal) -> int:
    if who.user_id is None:
        return 0
    try:
        return inbox.unread_count(database(), who)
    except AlurError:
        return 0


nav.set_unread_counter(_unread, "notifications_page.index")


@bp.route("/pemberitahuan")
@roles(*ROLES)
def index():
    unread_only = request.args.get("belum") == "1"
    items, unread = inbox.list_notifications(database(), principal(), unread_only=unread_only, limit=100)
    return render_template("notifications/index.html", items=items, unread_total=unread, unread_only=unread_only,
                           settings=inbox.get_settings(database(), principal()), modes=inbox.MODES)


@bp.route("/pemberitahuan/<int:notification_id>/baca", methods=["POST"])
@roles(*ROLES)
def mark_read(notification_id):
    note = inbox.mark_read(database(), principal(), notification_id)
    if request.form.get("open") and note["task_id"]:
        return redirect(url_for("task_page.show", task_id=note["task_id"]))
    if request.form.get("open") and note["instance_id"]:
        return redirect(url_for("cases.show", instance_id=note["instance_id"]))
    return redirect(url_for("notifications_page.index"))


@bp.route("/pemberitahuan/baca-semua", methods=["POST"])
@roles(*ROLES)
def mark_all_read():
    count = inbox.mark_all_read(database(), principal())
    flash(_("%(count)s pemberitahuan ditandai sudah dibaca.", count=count), "info")
    return redirect(url_for("notifications_page.index"))


@bp.route("/pemberitahuan/pengaturan", methods=["POST"])
@roles(*ROLES)
def settings():
    inbox.put_settings(database(), principal(), request.form.get("task_email", ""))
    flash(_("Pilihan e-mail disimpan."), "success")
    return redirect(url_for("notifications_page.index"))


# --- failed e-mails, for sekretariat ------------------------------------------------------------------

@bp.route("/pemberitahuan/gagal")
@roles(*FRONT_OFFICE)
def failures():
    return _failures()


def _failures(errors: dict | None = None, status: int = 200):
    return render_template("notifications/failures.html", failed=inbox.failures(database(), limit=200),
                           retrying=inbox.failures(database(), retrying=True, limit=200),
                           recent=inbox.recent(database()), errors=errors or {},
                           may_resend=principal().has(*RESENDERS)), status


@bp.route("/pemberitahuan/gagal/<int:outbox_id>/kirim-ulang", methods=["POST"])
@roles(*RESENDERS)
def resend(outbox_id):
    recipient = request.form.get("recipient", "").strip() or None
    try:
        sent = inbox.resend(database(), outbox_id, recipient)
    except ValidationFailed as exc:
        return _failures({outbox_id: (exc.errors or {}).get("recipient") or [exc.detail]}, 422)
    flash(_("E-mail ke %(to)s diantrekan lagi.", to=sent["recipient"]), "success")
    return redirect(url_for("notifications_page.failures"))


# --- templates, edited without code -------------------------------------------------------------------

@bp.route("/pemberitahuan/templat")
@roles(*EDITORS, "admin_sistem")
def templates():
    return render_template("notifications/templates.html", items=inbox.list_templates(database(), engine_config()),
                           may_edit=principal().has(*EDITORS))


@bp.route("/pemberitahuan/templat/<name>")
@roles(*EDITORS, "admin_sistem")
def template(name):
    return _template(name, inbox.get_template(database(), engine_config(), name))


def _template(name: str, values: dict, errors: dict | None = None, status: int = 200):
    preview = None
    if not errors:
        try:
            preview = inbox.preview(database(), engine_config(), name, {})
        except ValidationFailed as exc:
            errors = exc.errors if isinstance(exc.errors, dict) else {}
    return render_template("notifications/template.html", name=name, values=values, errors=errors or {},
                           preview=preview, may_edit=principal().has(*EDITORS)), status


@bp.route("/pemberitahuan/templat/<name>", methods=["POST"])
@roles(*EDITORS)
def save_template(name):
    parts = {field: request.form.get(field, "") for field in ("subject", "body", "subject_en", "body_en")}
    try:
        saved = inbox.put_template(database(), engine_config(), principal(), name, parts)
    except ValidationFailed as exc:
        return _template(name, {**parts, "source": "database"}, exc.errors if isinstance(exc.errors, dict) else {},
                         status=422)
    flash(_("Templat \"%(name)s\" disimpan; pesan berikutnya memakainya.", name=saved["name"]), "success")
    return redirect(url_for("notifications_page.template", name=name))


@bp.route("/pemberitahuan/templat/<name>/kembalikan", methods=["POST"])
@roles(*EDITORS)
def reset_template(name):
    inbox.reset_template(database(), engine_config(), name)
    flash(_("Templat \"%(name)s\" kembali ke versi berkas.", name=name), "info")
    return redirect(url_for("notifications_page.template", name=name))
