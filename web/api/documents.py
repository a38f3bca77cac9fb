from flask import request, send_file
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.errors import ValidationFailed
from engine.roles import ROLES
from engine.services import documents

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("documents", __name__, url_prefix="/api/v1/documents",
                description="Uploaded document scans (PDF, JPEG, PNG up to 5 MB)")


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


@blp.route("", methods=["POST"])
@roles(*ACTORS)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, schemas.Document)
def upload(_files):
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed("no file", {"file": ["Pilih berkas / Choose a file"]})
    limit = int(engine_config()["MAX_UPLOAD_BYTES"])
    instance_id = request.form.get("instance_id", type=int)
    return documents.store(database(), principal(), upload.filename or "", upload.stream.read(limit + 1),
                           engine_config(), instance_id)


@blp.route("/<document_id>", methods=["GET"])
@roles(*ROLES)
@blp.doc(responses={"200": {"description": "The scan's bytes, if the caller may read it (404 otherwise)",
                            "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                                        for kind in ("application/pdf", "image/jpeg", "image/png")}}})
def download(document_id):
    view, path = documents.open_document(database(), principal(), document_id, engine_config())
    response = send_file(path, mimetype=view.content_type, as_attachment=True, download_name=view.filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
