"""The analyst's pages (issue 6): the deployed diagrams and their versions, upload and deploy with the
validation report, and the in-browser modeler (bpmn-js) with Alur's properties form and a dry run."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from engine import registry
from engine.errors import DeployRefused
from engine.roles import ROLES
from engine.services import definitions

from ..auth import principal, roles
from ..extensions import database, engine_config
from . import nav

bp = Blueprint("modeler", __name__)

nav.add("modeler.index", _l("Model proses"), roles={"analis"}, order=60)


def _versions() -> dict[str, list]:
    grouped: dict[str, list] = {}
    for item in definitions.list_versions(database(), latest_only=False):
        grouped.setdefault(item.process_id, []).append(item)
    return grouped


@bp.route("/model")
@roles("analis")
def index():
    return render_template("definitions.html", processes=_versions())


@bp.route("/model/unggah", methods=["POST"])
@roles("analis")
def upload():
    """Deploy the uploaded files; a refusal shows the report (element, problem, fix) on the same page."""
    limit = int(engine_config()["MAX_BPMN_BYTES"])
    files = [(f.filename or "upload.bpmn", f.stream.read(limit + 1)) for f in request.files.getlist("file")
             if f.filename]
    try:
        result = definitions.deploy(database(), files, principal(), engine_config())
    except DeployRefused as exc:
        return render_template("definitions.html", processes=_versions(), refused=exc,
                               filenames=[name for name, _data in files]), 422
    return render_template("definitions.html", processes=_versions(), deployed=result), 201


@bp.route("/model/baru")
@roles("analis")
def new():
    return _modeler(None, None)


@bp.route("/model/<process_id>")
@roles("analis")
def edit(process_id):
    version = request.args.get("versi", type=int)
    definitions.model_xml(database(), process_id, version)  # 404 for a process or version that does not exist
    return _modeler(process_id, version)


def _modeler(process_id: str | None, version: int | None):
    catalogue = {"roles": [[role, names[0]] for role, names in ROLES.items()], "forms": registry.form_names(),
                 "handlers": registry.handler_names()}
    xml_url = url_for("modeler.download", process_id=process_id, versi=version) if process_id else None
    return render_template("modeler.html", process_id=process_id, version=version, catalogue=catalogue,
                           xml_url=xml_url)


@bp.route("/model/<process_id>/unduh")
@roles("analis")
def download(process_id):
    """The BPMN XML of a version (the latest when ``versi`` is absent), as a file to open in any modeller."""
    version = request.args.get("versi", type=int)
    xml = definitions.model_xml(database(), process_id, version)
    name = f"{process_id}-v{version}.bpmn" if version else f"{process_id}.bpmn"
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


