"""The auditor's API over the journal: verify every chain, the signed checkpoints, export a case or a period."""
from __future__ import annotations

import json
from datetime import timezone

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.services import audit

from ..auth import principal, roles
from ..extensions import database, engine_config

blp = Blueprint("audit_chain", __name__, url_prefix="/api/v1/audit",
                description="Audit: verify the journal's hash chains, signed checkpoints, exports")


class VerifyQuery(Schema):
    instance = fields.Integer(validate=validate.Range(min=1), metadata={"description": "Only this case"})


class Finding(Schema):
    instance_id = fields.Integer()
    seq = fields.Integer(metadata={"description": "Position of the event in its case's chain"})
    event_id = fields.Integer(allow_none=True, metadata={"description": "The row's id (none for a removed event)"})
    kind = fields.String(metadata={"enum": ["edited", "deleted", "inserted", "unlinked", "truncated", "replaced"]})
    problem = fields.String()


class CheckpointRef(Schema):
    id = fields.Integer()
    created_at = fields.String()
    key_id = fields.String()


class CheckpointUse(Schema):
    source = fields.String()
    used = fields.Integer()
    invalid = fields.List(fields.String())
    latest = fields.Nested(CheckpointRef, allow_none=True)


class VerifyResult(Schema):
    verified = fields.Boolean()
    instance_id = fields.Integer(allow_none=True)
    instances = fields.Integer()
    events = fields.Integer()
    first_break = fields.Nested(Finding, allow_none=True)
    breaks = fields.List(fields.Nested(Finding))
    broken_cases = fields.Integer()
    checkpoints = fields.Nested(CheckpointUse)


class ExportQuery(Schema):
    instance = fields.Integer(validate=validate.Range(min=1), metadata={"description": "One case"})
    from_ = fields.AwareDateTime(data_key="from", default_timezone=timezone.utc,
                                 metadata={"description": "Events at or after (ISO 8601; no zone means UTC)"})
    to = fields.AwareDateTime(default_timezone=timezone.utc, metadata={"description": "Events before"})
    format = fields.String(load_default="json", validate=validate.OneOf(["csv", "json"]))


@blp.route("/verify", methods=["GET"])
@roles(*audit.READERS)
@blp.arguments(VerifyQuery, location="query")
@blp.response(200, VerifyResult)
def verify(query):
    """Walk every chain (or one case's) and report the first broken link of each broken case.

    A broken chain is a 200 with `verified: false`; errors (an unknown case, a bad query) are problem+json.
    """
    return audit.verify(database(), principal(), engine_config(), instance_id=query.get("instance"))


_CHECKPOINT_FILE = {"type": "object", "properties": {
    "format": {"type": "string", "enum": [audit.FILE_FORMAT]}, "exported_at": {"type": "string"},
    "checkpoints": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "created_at": {"type": "string"}, "created_by": {"type": "string"},
        "instance_id": {"type": "integer", "nullable": True}, "instances": {"type": "integer"},
        "events": {"type": "integer"}, "digest": {"type": "string"},
        "heads": {"type": "object", "description": "case id: [event count, head hash]"},
        "key_id": {"type": "string"}, "public_key": {"type": "string", "description": "Ed25519, base64"},
        "signature": {"type": "string", "description": "Ed25519 over the canonical checkpoint, base64"}}}}}}
_EXPORT = {"type": "object", "properties": {"format": {"type": "string"}, "scope": {"type": "object"},
                                            "events": {"type": "array", "items": {"type": "object"}}}}


@blp.route("/checkpoints", methods=["GET"])
@roles(*audit.READERS)
@blp.doc(responses={"200": {"description": "The checkpoint file",
                            "content": {"application/json": {"schema": _CHECKPOINT_FILE}}}})
def checkpoints():
    """Every signed checkpoint with its heads, signature and public key: save it as the auditor's copy.

    `alur audit verify --checkpoints FILE` checks the journal against such a file.
    """
    document = audit.export_checkpoints(database(), principal())
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="alur-checkpoints.json"'})


@blp.route("/export", methods=["GET"])
@roles("auditor")
@blp.arguments(ExportQuery, location="query")
@blp.doc(responses={"200": {"description": "The events, streamed", "content": {
    "application/json": {"schema": _EXPORT},
    "text/csv": {"schema": {"type": "string", "description": ", ".join(audit.EXPORT_COLUMNS)}}}}})
def export(query):
    """The events of a case (`instance=`) or a period (`from=` and `to=`) as CSV or JSON, NIK and NPWP masked."""
    scope = audit.export_scope(database(), principal(), instance_id=query.get("instance"),
                               start=query.get("from_"), end=query.get("to"))
    rows = audit.export_events(database(), scope)
    name = f"alur-journal-{scope['instance_id'] or 'period'}.{query['format']}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if query["format"] == "csv":
        return Response(audit.csv_lines(rows), mimetype="text/csv", headers=headers)
    return Response(audit.json_chunks(scope, rows), mimetype="application/json", headers=headers)

