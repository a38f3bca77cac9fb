from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

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


class XmlQuery(Schema):
    # Bounded like the column: a larger number reached PostgreSQL and failed there (500, found by schemathesis).
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "A version number; the latest when absent"})


@blp.route("/<process_id>/xml", methods=["GET"])
@roles(*ROLES)
@blp.arguments(XmlQuery, location="query")
@blp.doc(responses={"200": {"description": "The BPMN 2.0 XML as deployed",
                            "content": {"application/xml": {"schema": {"type": "string"}}}}})
def xml(query, process_id):
    return Response(definitions.model_xml(database(), process_id, query.get("version")),
                    mimetype="application/xml")
