"""Long work and its progress, for the person who started it."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.roles import ROLES
from engine.services import jobs

from ..auth import ACTORS, principal, roles
from ..extensions import database

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs",
                description="Long work (journal verification, backups, reports) and its progress")


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    params = fields.Dict()
    state = fields.String(metadata={"enum": ["queued", "running", "succeeded", "failed"]})
    started_by = fields.String()
    done = fields.Integer()
    total = fields.Integer(allow_none=True)
    percent = fields.Float(allow_none=True)
    message = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class JobList(Schema):
    items = fields.List(fields.Nested(JobSchema))


class JobRequest(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    params = fields.Dict(keys=fields.String(), load_default=dict)


@blp.route("", methods=["POST"])
@roles(*ACTORS)
@blp.arguments(JobRequest)
@blp.response(202, JobSchema)
def submit(body):
    return jobs.submit(database(), body["kind"], body["params"], principal())


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.response(200, JobList)
def list_jobs():
    return {"items": jobs.list_jobs(database(), principal())}


@blp.route("/<int:job_id>", methods=["GET"])
@roles(*ROLES)
@blp.response(200, JobSchema)
def get(job_id):
    return jobs.get(database(), job_id, principal())
