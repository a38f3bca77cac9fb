"""The task page: the form drawn from its JSON Schema, uploads, server validation errors beside the
fields; and the claim, release and reassign actions."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from engine import clock, registry
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.roles import EXTERNAL, ROLES
from engine.services import accounts, documents, instances, tasks
from forms import export

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import formrender, i18n

bp = Blueprint("task_page", __name__)

STAFF_ACTORS = tuple(r for r in ACTORS if r not in EXTERNAL)


@bp.route("/tugas/<task_id>")
@roles(*ROLES)
def show(task_id):
    return _render(task_id)


@bp.route("/tugas/<task_id>", methods=["POST"])
@roles(*ACTORS)
def submit(task_id):
    who = principal()
    task = tasks.get_task(database(), task_id, who)
    if task.state != "ready":
        raise Conflict(f"Tugas ini sudah {task.state}. / This task is already {task.state}.")
    if not _may_act(task, who):  # before any upload is stored: a refused submission files nothing
        raise Forbidden("Anda tidak dapat menyelesaikan tugas ini. / You may not complete this task.")
    schema = export.json_schema(task.form, i18n.lang()) if task.form else {"properties": {}}

    def store(upload):
        limit = int(engine_config()["MAX_UPLOAD_BYTES"])
        return documents.store(database(), who, upload.filename or "", upload.stream.read(limit + 1),
                               engine_config(), task.instance_id).id

    data, errors = formrender.parse(schema, request.form, request.files, store, str(current_app.config["TIMEZONE"]))
    if task.form:  # every message at once: the form's own checks beside the refused uploads
        try:
            registry.get_form(task.form).load(data)
        except ValidationError as exc:
            errors = {**exc.messages, **errors}
    if errors:
        return _render(task_id, values=data, errors=errors), 422
    try:
        case = tasks.complete(database(), task_id, data, who, engine_config(), g.request_id)
    except ValidationFailed as exc:
        return _render(task_id, values=data, errors=exc.errors if isinstance(exc.errors, dict) else
                       {"_schema": exc.errors}), 422
    flash(_("Tugas \"%(name)s\" selesai.", name=task.name), "success")
    if who.is_staff:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("cases.show", instance_id=case.id))


@bp.route("/tugas/<task_id>/ambil", methods=["POST"])
@roles(*STAFF_ACTORS)
def claim(task_id):
    task = tasks.claim(database(), task_id, principal(), g.request_id)
    flash(_("Anda mengambil tugas \"%(name)s\".", name=task.name), "success")
    return redirect(url_for("task_page.show", task_id=task_id))


@bp.route("/tugas/<task_id>/lepas", methods=["POST"])
@roles(*STAFF_ACTORS)
def unclaim(task_id):
    task = tasks.unclaim(database(), task_id, principal(), g.request_id)
    flash(_("Tugas \"%(name)s\" dikembalikan ke peran.", name=task.name), "info")
    return redirect(url_for("inbox.index"))


@bp.route("/tugas/<task_id>/alihkan", methods=["POST"])
@roles("kepala")
def reassign(task_id):
    target = request.form.get("assignee") or None
    try:
        task = tasks.reassign(database(), task_id, principal(), target, request.form.get("reason", ""), g.request_id)
    except ValidationFailed as exc:
        return _render(task_id, reassign_errors=exc.errors), 422
    flash(_("Tugas \"%(name)s\" dialihkan.", name=task.name), "success")
    return redirect(url_for("task_page.show", task_id=task_id))


def _render(task_id: str, values: dict | None = None, errors: dict | None = None,
            reassign_errors: dict | None = None) -> str:
    who = principal()
    task = tasks.get_task(database(), task_id, who)
    case = instances.get(database(), task.instance_id, who, engine_config())
    files = documents.list_for_instance(database(), who, task.instance_id)
    schema = export.json_schema(task.form, i18n.lang()) if task.form else {"properties": {}}
    fields = formrender.fields_of(schema, values if values is not None else {}, errors)
    may_act = _may_act(task, who)
    claimable = (task.state == "ready" and task.role in who.roles and task.role not in EXTERNAL
                 and not who.read_only)
    colleagues = []
    if who.has("kepala") and task.role and task.role not in EXTERNAL:
        colleagues = [u["username"] for u in accounts.list_users(database())
                      if task.role in u["roles"] and u["is_active"]]
    return render_template("task.html", task=task, case=case, files={d.id: d for d in files}, fields=fields,
                           other_errors=formrender.other_errors(schema, errors), schema=schema, may_act=may_act,
                           claimable=claimable, colleagues=colleagues, reassign_errors=reassign_errors or {}, now=clock.now())



def _may_act(task, who) -> bool:
    """The page's view of ``tasks.complete``'s check: the service decides again, in its transaction."""
    return (not who.read_only and task.state == "ready" and task.assignee in (None, who.username)
            and (task.role in who.roles or task.assignee == who.username))
