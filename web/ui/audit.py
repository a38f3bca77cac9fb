"""Auditor pages: a case's timeline (a slider steps the diagram through its history, re-run from the
journal by ``GET /api/v1/process-instances/{id}/replay``, with the data changed at each step and the
journal's verification badge) and its compliance view (each obligation it touched, who, when, and whether
within its service level). Read-only; for the auditor and the head of the LPSE."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from engine import clock
from engine.services import compliance, definitions, instances, journal
from workflows.kewajiban import KEWAJIBAN

from ..auth import principal, roles
from ..extensions import database, engine_config
from . import nav
from .cases import EVENT_LABELS, STATES

bp = Blueprint("audit", __name__)
AUDITORS = ("auditor", "kepala")

nav.add("audit.index", _l("Audit"), roles=AUDITORS, order=25)

STATUS_LABELS = {
    compliance.ON_TIME: _l("tepat waktu"), compliance.LATE: _l("terlambat"), compliance.OPEN: _l("berjalan"),
    compliance.OVERDUE: _l("lewat batas"), compliance.NO_LEVEL: _l("tanpa batas waktu"),
    compliance.AUTOMATIC: _l("otomatis"),
}
KIND_LABELS = {"task": _l("tugas"), "service": _l("langkah otomatis"), "timer": _l("batas waktu")}


@bp.route("/audit")
@roles(*AUDITORS)
def index():
    state = request.args.get("status") if request.args.get("status") in STATES else None
    after = request.args.get("setelah", type=int)
    items = instances.list_instances(database(), principal(), state=state, limit=50, after_id=after)
    names = {v.process_id: v.name for v in definitions.list_versions(database())}
    next_url = url_for("audit.index", setelah=items[-1]["id"], status=state) if len(items) == 50 else None
    return render_template("audit_index.html", items=items, names=names, state=state, states=STATES,
                           next_url=next_url)


@bp.route("/audit/kasus/<int:instance_id>")
@roles(*AUDITORS)
def timeline(instance_id):
    who = principal()
    case = instances.get(database(), instance_id, who, engine_config())
    events = journal.events(database(), instance_id, who, limit=100000)
    broken = journal.verify(database(), instance_id, who)
    names = {v.process_id: v.name for v in definitions.list_versions(database(), case.process_id)}
    labels = {k: str(v) for k, v in EVENT_LABELS.items()}
    return render_template("audit_timeline.html", case=case, events=events, broken=broken, labels=labels,
                           process_name=names.get(case.process_id, case.process_id))


@bp.route("/audit/kasus/<int:instance_id>/kepatuhan")
@roles(*AUDITORS)
def obligations(instance_id):
    who = principal()
    case = instances.get(database(), instance_id, who, engine_config())
    rows = compliance.obligations(database(), instance_id, who)
    broken = journal.verify(database(), instance_id, who)
    names = {v.process_id: v.name for v in definitions.list_versions(database(), case.process_id)}
    late = len({(r.element_id, r.seq) for r in rows if r.status in (compliance.LATE, compliance.OVERDUE)})
    return render_template("audit_compliance.html", case=case, rows=rows, broken=broken, late=late,
                           process_name=names.get(case.process_id, case.process_id), kewajiban=KEWAJIBAN,
                           status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, now=clock.now())
