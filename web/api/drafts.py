"""Drafts and dry runs (issue 6): check a diagram without deploying it, and run one with test data.

Deploying stays ``POST /api/v1/process-definitions``; these routes never touch a live case.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.services import drafts, dryruns

from ..auth import principal, roles
from ..extensions import database, engine_config
from .schemas import ProblemItem

blp = Blueprint("drafts", __name__, url_prefix="/api/v1", description="Draft diagrams: validation and dry runs")

_XML = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "BPMN 2.0 XML"})
_FILENAME = fields.String(load_default="draft.bpmn", validate=validate.Length(min=1, max=255))


class DraftRequest(Schema):
    xml = _XML
    filename = _FILENAME


class DraftProcess(Schema):
    process_id = fields.String()
    name = fields.String()
    starter_roles = fields.List(fields.String())


class DraftReport(Schema):
    valid = fields.Boolean()
    processes = fields.List(fields.Nested(DraftProcess))
    errors = fields.List(fields.Nested(ProblemItem))
    warnings = fields.List(fields.Nested(ProblemItem))


class DryRunRequest(Schema):
    xml = fields.String(validate=validate.Length(min=1), metadata={"description": "A draft's BPMN 2.0 XML"})
    filename = _FILENAME
    process_id = fields.String(validate=validate.Length(min=1, max=255),
                               metadata={"description": "A deployed process (instead of xml)"})
    version = fields.Integer(metadata={"description": "Its version; the latest when absent"})
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "The test data"})
    service_results = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "What each service task's handler returns in the dry run, by element id or handler name"})


class DryRunComplete(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class DryRunTask(Schema):
    id = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    pasal = fields.String(allow_none=True)
    due = fields.String(allow_none=True)


class DryRunStep(Schema):
    element_id = fields.String()
    name = fields.String()
    kind = fields.String()


class DryRun(Schema):
    id = fields.String()
    process_id = fields.String()
    source = fields.String(metadata={"description": "draft or version"})
    version = fields.Integer(allow_none=True)
    model_hash = fields.String()
    state = fields.String(metadata={"description": "running, completed or error"})
    data = fields.Dict()
    tasks = fields.List(fields.Nested(DryRunTask))
    path = fields.List(fields.Nested(DryRunStep))
    elements = fields.Dict(keys=fields.String(), values=fields.String())
    steps = fields.List(fields.Dict(), metadata={"description": "What was done: start, complete, service calls"})
    waiting = fields.Dict()
    error = fields.Dict(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DryRunSummary(Schema):
    id = fields.String()
    process_id = fields.String()
    source = fields.String()
    state = fields.String()
    created_at = fields.DateTime()


class DryRunList(Schema):
    items = fields.List(fields.Nested(DryRunSummary))


@blp.route("/drafts/validate", methods=["POST"])
@roles("analis")
@blp.arguments(DraftRequest)
@blp.response(200, DraftReport)
def validate_draft(body):
    """The deploy's validation report for a diagram, without deploying it."""
    return drafts.check(database(), body["xml"].encode("utf-8"), body["filename"], engine_config())


@blp.route("/dry-runs", methods=["POST"])
@roles("analis")
@blp.arguments(DryRunRequest)
@blp.response(201, DryRun)
def start_dry_run(body):
    """Start a draft (``xml``) or a deployed version with test data; no live case is touched."""
    return dryruns.start(database(), principal(), engine_config(), xml=body.get("xml"), filename=body["filename"],
                         process_id=body.get("process_id"), version=body.get("version"), data=body["data"],
                         service_results=body["service_results"])


@blp.route("/dry-runs", methods=["GET"])
@roles("analis")
@blp.response(200, DryRunList)
def list_dry_runs():
    return {"items": dryruns.list_runs(database(), principal())}


@blp.route("/dry-runs/<run_id>", methods=["GET"])
@roles("analis")
@blp.response(200, DryRun)
def get_dry_run(run_id):
    return dryruns.get(database(), run_id, principal(), engine_config())


@blp.route("/dry-runs/<run_id>/tasks/<task_id>/complete", methods=["POST"])
@roles("analis")
@blp.arguments(DryRunComplete)
@blp.response(200, DryRun)
def complete_dry_run_task(body, run_id, task_id):
    return dryruns.complete(database(), run_id, task_id, body["data"], principal(), engine_config())


@blp.route("/dry-runs/<run_id>", methods=["DELETE"])
@roles("analis")
@blp.response(204)
def delete_dry_run(run_id):
    dryruns.delete(database(), run_id, principal())
