"""Incidents: failed cases waiting for the worker's retries or for admin_sistem."""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.services import incidents

from ..auth import principal, roles
from ..extensions import database, engine_config

blp = Blueprint("incidents", __name__, url_prefix="/api/v1/incidents",
                description="Failed cases: automatic retries, then admin_sistem")


class IncidentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    process_id = fields.String()
    element_id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["retrying", "open", "resolved"]})
    retryable = fields.Boolean()
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    next_retry_at = fields.DateTime(allow_none=True)
    error = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    opened_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)


class IncidentList(Schema):
    items = fields.List(fields.Nested(IncidentSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    next_after = fields.Integer(allow_none=True)


class IncidentQuery(Schema):
    status = fields.String(load_default="active",
                           validate=validate.OneOf(["active", "retrying", "open", "resolved", "all"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1))


class RetryRequest(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResolveRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


@blp.route("", methods=["GET"])
@roles(*incidents.READERS)
@blp.arguments(IncidentQuery, location="query")
@blp.response(200, IncidentList)
def list_incidents(query):
    status = None if query["status"] == "all" else query["status"]
    items, counts = incidents.list_incidents(database(), principal(), status=status, limit=query["limit"],
                                             after_id=query.get("after"))
    return {"items": items, "counts": counts,
            "next_after": items[-1].id if len(items) == query["limit"] else None}


@blp.route("/<int:incident_id>", methods=["GET"])
@roles(*incidents.READERS)
@blp.response(200, IncidentSchema)
def get(incident_id):
    return incidents.get(database(), incident_id, principal())


@blp.route("/<int:incident_id>/retry", methods=["POST"])
@roles("admin_sistem", "kepala", "analis")
@blp.arguments(RetryRequest)
@blp.response(200, IncidentSchema)
def retry(body, incident_id):
    return incidents.retry(database(), incident_id, principal(), engine_config(), g.request_id, body.get("reason"))


@blp.route("/<int:incident_id>/resolve", methods=["POST"])
@roles("admin_sistem", "kepala")
@blp.arguments(ResolveRequest)
@blp.response(200, IncidentSchema)
def resolve(body, incident_id):
    return incidents.resolve(database(), incident_id, principal(), body["reason"], g.request_id)
