"""The inbox page: open tasks of the caller's roles, counts per process, overdue first, claim and open."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from engine import clock
from engine.roles import STAFF
from engine.services import definitions
from engine.services import inbox as inbox_service

from ..auth import principal, roles
from ..extensions import database
from . import core, nav

bp = Blueprint("inbox", __name__)

nav.add("inbox.index", _l("Kotak masuk"), roles=STAFF, order=10)
for _role in STAFF:
    core.set_start_page(_role, "inbox.index")

DUE_CHOICES = {"terlambat": timedelta(0), "24jam": timedelta(days=1), "7hari": timedelta(days=7)}
ASSIGNEE_CHOICES = ("me", "none")


@bp.route("/kotak-masuk")
@roles(*STAFF)
def index():
    now = clock.now()
    process = request.args.get("proses") or None
    due = request.args.get("tenggat") if request.args.get("tenggat") in DUE_CHOICES else None
    assignee = request.args.get("ditangani") if request.args.get("ditangani") in ASSIGNEE_CHOICES else None
    filters = inbox_service.Filters(process, now + DUE_CHOICES[due] if due else None, assignee)
    page = inbox_service.inbox(database(), principal(), filters, limit=50, cursor=request.args.get("kursor"),
                               with_counts=True)
    names = {v.process_id: v.name for v in definitions.list_versions(database())}
    keep = {k: v for k, v in {"proses": process, "tenggat": due, "ditangani": assignee}.items() if v}
    next_url = url_for("inbox.index", kursor=page.next_cursor, **keep) if page.next_cursor else None
    return render_template("inbox.html", page=page, names=names, now=now, process=process, due=due,
                           assignee=assignee, keep=keep, next_url=next_url, total=sum(page.counts.values()))
