from flask import Response, request
from flask_smorest import Blueprint

from engine.errors import DeployRefused
from engine.roles import ROLES
from engine.services import definitions

from ..auth import principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("definitions", __name__, url_prefix="/api/v1/process-definitions",
                description="Deployed BPMN diagrams and their versions")


@blp.route("", methods=["POST"])
@roles("analis")
@blp.arguments(schemas.DeployFiles, location="files")
@blp.response(201, schemas.DeployResponse)
def deploy(_files):
    uploads = request.files.getlist("file")
    if not uploads:
        raise DeployRefused("no file uploaded", [{"element_id": None, "severity": "error", "message": "no file",
                                                  "fix": "Send the diagram as multipart field `file`."}])
    limit = int(engine_config()["MAX_BPMN_BYTES"])
    files = [(u.filename or "upload.bpmn", u.stream.read(limit + 1)) for u in uploads]
    return definitions.deploy(database(), files, principal(), engine_config())


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.ProcessVersionList)
def list_definitions():
    return {"items": definitions.list_versions(database())}


@blp.route("/<process_id>/xml", methods=["GET"])
@roles(*ROLES)
@blp.doc(parameters=[{"in": "query", "name": "version", "schema": {"type": "integer"},
                      "description": "A version number; the latest when absent"}],
         responses={"200": {"description": "The BPMN 2.0 XML as deployed",
                            "content": {"application/xml": {"schema": {"type": "string"}}}}})
def xml(process_id):
    version = request.args.get("version", type=int)
    return Response(definitions.model_xml(database(), process_id, version), mimetype="application/xml")
