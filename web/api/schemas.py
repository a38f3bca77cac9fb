"""Request and response bodies of the REST API; the OpenAPI document is generated from these."""
from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate


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
    process = fields.String(validate=validate.Length(max=255), metadata={"description": "Only cases of this process id"})
    state = fields.String(validate=validate.OneOf(["running", "completed", "cancelled", "error"]))
    started_from = fields.DateTime(metadata={"description": "Started at or after (ISO 8601; a date means 00:00 UTC)"})
    started_to = fields.DateTime(metadata={"description": "Started before (ISO 8601)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1),
                           metadata={"description": "Keyset cursor: the `next_after` of the previous page"})


class CancelRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MessageRequest(Schema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=255))
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class TaskQuery(Schema):
    process = fields.String(validate=validate.Length(max=255), metadata={"description": "Only tasks of this process id"})
    overdue = fields.Boolean(metadata={"description": "Only tasks past their due date"})
    due_before = fields.DateTime(metadata={"description": "Only tasks due before this moment (ISO 8601)"})
    assignee = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "`me` (claimed by the caller), `none` (claimed by nobody) or a username"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(validate=validate.Length(max=400),
                           metadata={"description": "Keyset cursor: the `next_cursor` of the previous page"})


class TaskList(Schema):
    items = fields.List(fields.Nested(Task))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True, metadata={
        "description": "Open tasks per process id under the same filters; on the first page only (null after)"})
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor` for the next page"})


class ReassignRequest(Schema):
    assignee = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "Username holding the task's role; null releases the task"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


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


class Document(Schema):
    id = fields.String()
    sha256 = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    instance_id = fields.Integer(allow_none=True)


class DocumentList(Schema):
    items = fields.List(fields.Nested(Document))


class FormList(Schema):
    items = fields.List(fields.String(), metadata={"description": "Registered form names"})


class FormQuery(Schema):
    lang = fields.String(load_default="id", validate=validate.OneOf(["id", "en"]))


class JsonSchema(Schema):
    """A JSON Schema (draft 2020-12) document, passed through as generated from the form's marshmallow schema.

    Beside the standard keywords: `x-title-en` (English title), `format: x-document` (an uploaded document
    id from `POST /api/v1/documents`), `x-widget` (`textarea`, `radio`, `select` ...)."""

    type = fields.String()
    title = fields.String()
    description = fields.String()
    properties = fields.Dict()
    required = fields.List(fields.String())

    @post_dump(pass_original=True)
    def _whole_document(self, data, original, **_kwargs):
        return {**original, **data}


class Announcement(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(allow_none=True)
    author = fields.String()
    created_at = fields.DateTime()


class AnnouncementList(Schema):
    items = fields.List(fields.Nested(Announcement))
