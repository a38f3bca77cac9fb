"""Case pages: the list, and one case with its diagram (bpmn-js, done and active elements highlighted),
its journal as a timeline, its data and documents, and cancelling with a reason."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.errors import ValidationFailed
from engine.roles import READ_ONLY, ROLES, STAFF
from engine.services import definitions, documents, instances, journal

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import core, nav

bp = Blueprint("cases", __name__)

nav.add("cases.index", _l("Kasus"), roles=STAFF | READ_ONLY, order=20)
core.set_start_page("auditor", "cases.index")

EVENT_LABELS = {
    "instance.started": _l("Kasus dimulai"), "instance.completed": _l("Kasus selesai"),
    "instance.cancelled": _l("Kasus dibatalkan"), "instance.retried": _l("Langkah diulang"),
    "task.ready": _l("Tugas menunggu"), "task.completed": _l("Tugas diselesaikan"),
    "task.cancelled": _l("Tugas dibatalkan"), "task.claimed": _l("Tugas diambil"),
    "task.unclaimed": _l("Tugas dilepaskan"), "task.reassigned": _l("Tugas dialihkan"),
    "service.run": _l("Langkah otomatis"), "message.sent": _l("Pesan dikirim"),
    "message.received": _l("Pesan diterima"), "timer.fired": _l("Pengatur waktu berbunyi"),
    "error": _l("Galat"),
}
STATES = ("running", "completed", "cancelled", "error")


@bp.route("/kasus")
@roles(*ROLES)
def index():
    state = request.args.get("status") if request.args.get("status") in STATES else None
    process = request.args.get("proses") or None
    after = request.args.get("setelah", type=int)
    items = instances.list_instances(database(), principal(), process_id=process, state=state, limit=50,
                                     after_id=after)
    names = {v.process_id: v.name for v in definitions.list_versions(database())}
    next_url = url_for("cases.index", setelah=items[-1]["id"], status=state, proses=process) \
        if len(items) == 50 else None
    return render_template("cases.html", items=items, names=names, state=state, process=process, states=STATES,
                           next_url=next_url)


@bp.route("/kasus/<int:instance_id>")
@roles(*ROLES)
def show(instance_id):
    who = principal()
    case = instances.get(database(), instance_id, who, engine_config())
    events = journal.events(database(), instance_id, who)
    broken = journal.verify(database(), instance_id, who)
    files = {d.id: d for d in documents.list_for_instance(database(), who, instance_id)}
    names = {v.process_id: v.name for v in definitions.list_versions(database(), case.process_id)}
    may_cancel = case.state in ("running", "error") and not who.read_only and (
        who.has("kepala") or case.started_by == who.username)
    return render_template("case.html", case=case, events=events, broken=broken, files=files,
                           process_name=names.get(case.process_id, case.process_id), labels=EVENT_LABELS,
                           may_cancel=may_cancel)


@bp.route("/kasus/<int:instance_id>/batalkan", methods=["POST"])
@roles(*ACTORS)
def cancel(instance_id):
    try:
        instances.cancel(database(), instance_id, principal(), request.form.get("reason", ""), engine_config(),
                         g.request_id)
    except ValidationFailed:
        flash(_("Tulis alasan pembatalan."), "error")
        return redirect(url_for("cases.show", instance_id=instance_id))
    flash(_("Kasus #%(id)s dibatalkan.", id=instance_id), "success")
    return redirect(url_for("cases.show", instance_id=instance_id))
