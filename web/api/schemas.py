"""Request and response bodies of the REST API; the OpenAPI document is generated from these."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    username = fields.String()
    roles = fields.List(fields.String())
    expires_in = fields.Integer()


class ProblemItem(Schema):
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    severity = fields.String()
    message = fields.String()
    fix = fields.String()
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)


class DeployedProcess(Schema):
    process_id = fields.String()
    name = fields.String()
    version = fields.Integer()
    model_hash = fields.String()
    created = fields.Boolean()


class DeployResponse(Schema):
    processes = fields.List(fields.Nested(DeployedProcess))
    warnings = fields.List(fields.Nested(ProblemItem))


class DeployFiles(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ProcessVersion(Schema):
    id = fields.Integer()
    process_id = fields.String()
    name = fields.String()
    version = fields.Integer()
    model_hash = fields.String()
    filename = fields.String()
    deployed_by = fields.String()
    deployed_at = fields.DateTime()
    starter_roles = fields.List(fields.String())


class ProcessVersionList(Schema):
    items = fields.List(fields.Nested(ProcessVersion))


class StartRequest(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=255))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class Task(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    role = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    pasal = fields.String(allow_none=True)


class Instance(Schema):
    id = fields.Integer()
    process_id = fields.String()
    process_version = fields.Integer(allow_none=True)
    model_hash = fields.String()
    state = fields.String()
    data = fields.Dict()
    tasks = fields.List(fields.Nested(Task))
    started_by = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    error = fields.Dict(allow_none=True)
    version = fields.Integer()
    elements = fields.Dict(keys=fields.String(), values=fields.String())


class InstanceSummary(Schema):
    id = fields.Integer()
    process_id = fields.String()
    state = fields.String()
    started_by = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    model_hash = fields.String()


class InstanceList(Schema):
    items = fields.List(fields.Nested(InstanceSummary))
    next_after = fields.Integer(allow_none=True)


class InstanceQuery(Schema):
    process = fields.String()
    state = fields.String(validate=validate.OneOf(["running", "completed", "cancelled", "error"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1))


class CancelRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MessageRequest(Schema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=255))
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class TaskQuery(Schema):
    process = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class TaskList(Schema):
    items = fields.List(fields.Nested(Task))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class CompleteRequest(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class Event(Schema):
    seq = fields.Integer()
    type = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    at = fields.DateTime()
    model_hash = fields.String()
    pasal = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    data = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class EventList(Schema):
    items = fields.List(fields.Nested(Event))
    verified = fields.Boolean()
    broken_at = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)


class Health(Schema):
    status = fields.String()
    database = fields.String()
