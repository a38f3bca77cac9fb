"""Read-only pages of the process versions, for analysts (and the head and auditors who check them): every
deployed process, and one process's versions with who deployed each, when, its hash, what it changed
against the one before, and a download of each version's file."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from engine.services import definitions, versions

from ..auth import roles
from ..extensions import database
from . import cases, nav

bp = Blueprint("versions_ui", __name__)
READERS = ("analis", "kepala", "auditor")

nav.add("versions_ui.index", _l("Versi proses"), roles=set(READERS), order=60)
# The case timeline names the journal's migration event like its other events.
cases.EVENT_LABELS.setdefault("instance.migrated", _l("Kasus dipindahkan ke versi lain"))


@bp.route("/versi-proses")
@roles(*READERS)
def index():
    return render_template("versions.html", items=definitions.list_versions(database()))


@bp.route("/versi-proses/<process_id>")
@roles(*READERS)
def show(process_id):
    items = versions.history(database(), process_id)
    return render_template("version_history.html", process_id=process_id, name=items[0].name, items=items)
