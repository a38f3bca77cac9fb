"""Process versions: the history with a diff summary per version, any version's file, and moving running
cases onto a newer version (one case, or every case of a process that can move)."""
from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.roles import ROLES
from engine.services import versions

from ..auth import principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("versions", __name__, url_prefix="/api/v1", description="Process versions and migrating cases")
MIGRATORS = ("analis", "kepala")


class Change(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)
    attributes = fields.List(fields.String(), metadata={"description": "What changed (SpiffWorkflow's spec "
                                                                        "attributes: bpmn_name, lane, extensions…)"})


class Changes(Schema):
    added = fields.List(fields.Nested(Change))
    removed = fields.List(fields.Nested(Change))
    changed = fields.List(fields.Nested(Change))
    unavailable = fields.String(metadata={"description": "Set when the engine could not compare the two "
                                                         "versions: why"})


class VersionEntry(schemas.ProcessVersion):
    previous_version = fields.Integer(allow_none=True)
    changes = fields.Nested(Changes, allow_none=True, metadata={"description": "Against the previous version; "
                                                                                "null for the first"})


class VersionHistory(Schema):
    items = fields.List(fields.Nested(VersionEntry))


class Obstacle(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)
    state = fields.String()
    problem = fields.String(metadata={"description": "removed, changed, replaced or unaligned"})
    attributes = fields.List(fields.String())
    replaced_by = fields.String(allow_none=True)


class MigrateInstance(Schema):
    version = fields.Raw(required=True, metadata={"description": "The target version: its number or its hash "
                                                                 "(at least 7 hex digits)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MigrateProcess(MigrateInstance):
    dry_run = fields.Boolean(load_default=False)


class Outcome(Schema):
    instance_id = fields.Integer()
    from_version = fields.Integer()
    to_version = fields.Integer()
    movable = fields.Boolean(metadata={"description": "It can move (dry run) or did"})
    migrated = fields.Boolean()
    detail = fields.String()
    obstacles = fields.List(fields.Nested(Obstacle))


class OutcomeList(Schema):
    items = fields.List(fields.Nested(Outcome))


@blp.route("/process-definitions/<process_id>/versions", methods=["GET"])
@roles(*ROLES)
@blp.response(200, VersionHistory)
def history(process_id):
    """Every version, newest first: who deployed it, when, its hash, and the elements it added, removed and
    changed against the version before (SpiffWorkflow's spec diff)."""
    return {"items": versions.history(database(), process_id)}


@blp.route("/process-definitions/<process_id>/versions/<ref>/xml", methods=["GET"])
@roles(*ROLES)
@blp.doc(responses={"200": {"description": "The BPMN 2.0 XML of that version, byte for byte as deployed",
                            "content": {"application/xml": {"schema": {"type": "string"}}}}})
def download(process_id, ref):
    version, xml, filename = versions.version_xml(database(), process_id, ref)
    stem = filename.rsplit(".", 1)[0] or process_id
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{stem}.v{version.version}.bpmn"',
        "ETag": f'"{version.model_hash}"'})


@blp.route("/process-definitions/<process_id>/migrate", methods=["POST"])
@roles(*MIGRATORS)
@blp.arguments(MigrateProcess)
@blp.response(200, OutcomeList)
def migrate_process(body, process_id):
    """Every running case of the process on an older version: moved when safe, else left as it is, with the
    reason (``dry_run``: only say what would happen)."""
    return {"items": versions.migrate_process(database(), process_id, body["version"], body["reason"],
                                              principal(), engine_config(), dry_run=body["dry_run"])}


@blp.route("/process-instances/<int:instance_id>/migrate", methods=["POST"])
@roles(*MIGRATORS)
@blp.arguments(MigrateInstance)
@blp.response(200, schemas.Instance)
def migrate_instance(body, instance_id):
    """Move the case onto a newer version of its process; 409 naming the elements when that is not safe."""
    return versions.migrate_instance(database(), instance_id, body["version"], body["reason"], principal(),
                                     engine_config(), g.request_id)
