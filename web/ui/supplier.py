"""Pages for suppliers and other SPSE users: self-registration that starts the registration SOP, "my
requests" with their status, and the public announcements."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.errors import Conflict, NotFound, ValidationFailed
from engine.roles import EXTERNAL
from engine.services import announcements as announcement_service
from engine.services import definitions, instances, registration, signin

from ..auth import principal, public, roles
from ..extensions import database, engine_config
from . import core, nav
from .security import sign_in_session

bp = Blueprint("supplier", __name__)

nav.add("supplier.requests", _l("Permohonan saya"), roles=EXTERNAL, order=10)
nav.add("supplier.announcements", _l("Pengumuman"), order=90)
for _role in EXTERNAL:
    core.set_start_page(_role, "supplier.requests")

# Case data a request shows its applicant as its outcome, when the SOP sets them.
OUTCOME_KEYS = ("status", "alasan", "alasan_penolakan")


@bp.route("/daftar", methods=["GET", "POST"])
@public
def register():
    process_id = str(current_app.config["REGISTRATION_PROCESS"])
    if not registration.available(database(), process_id):
        return render_template("register.html", unavailable=True, form={}, errors={}), 503
    if request.method == "GET":
        return render_template("register.html", form={"kind": "penyedia"}, errors={})
    form = {k: request.form.get(k, "").strip() for k in ("username", "full_name", "email", "kind")}
    password, again = request.form.get("password", ""), request.form.get("password_again", "")
    if password != again:
        return render_template("register.html", form=form, errors={
            "password_again": [_("Kedua kata sandi tidak sama.")]}), 422
    try:
        who, case = registration.register(database(), username=form["username"], password=password,
                                          full_name=form["full_name"], email=form["email"], kind=form["kind"],
                                          process_id=process_id, config=engine_config(),
                                          request_id=g.request_id)
    except ValidationFailed as exc:
        return render_template("register.html", form=form, errors=exc.errors), 422
    except Conflict:
        return render_template("register.html", form=form, errors={
            "username": [_("Nama pengguna ini sudah dipakai; pilih yang lain.")]}), 409
    sign_in_session(who.user_id, signin.generation(database(), who.user_id))
    flash(_("Akun Anda dibuat dan permohonan pendaftaran #%(id)s dimulai.", id=case.id), "success")
    mine = [t for t in case.tasks if t.assignee == who.username]
    if mine:
        return redirect(url_for("task_page.show", task_id=mine[0].id))
    return redirect(url_for("supplier.requests"))


@bp.route("/permohonan")
@roles(*EXTERNAL)
def requests():
    who = principal()
    rows = instances.list_instances(database(), who, limit=100)
    names = {v.process_id: v.name for v in definitions.list_versions(database())}
    cases = []
    for row in rows:
        try:
            case = instances.get(database(), row["id"], who, engine_config())
        except NotFound:  # pragma: no cover - listed a moment ago
            continue
        outcome = {k: case.data[k] for k in OUTCOME_KEYS if case.data.get(k) not in (None, "")}
        cases.append((case, outcome))
    return render_template("requests.html", cases=cases, names=names)


@bp.route("/pengumuman")
@public
def announcements():
    return render_template("announcements.html", items=announcement_service.list_public(database()))
