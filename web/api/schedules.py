"""Scheduled processes and when each starts its next case."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.services import schedules

from ..auth import roles
from ..extensions import database

blp = Blueprint("schedules", __name__, url_prefix="/api/v1/schedules",
                description="Processes started by a timer start event")


class ScheduleSchema(Schema):
    process_id = fields.String()
    process_version = fields.Integer()
    element_id = fields.String()
    kind = fields.String(metadata={"enum": ["cycle", "date", "duration"]})
    expression = fields.String()
    next_due = fields.DateTime(allow_none=True)
    last_due = fields.DateTime(allow_none=True)
    last_instance_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ScheduleList(Schema):
    items = fields.List(fields.Nested(ScheduleSchema))


@blp.route("", methods=["GET"])
@roles("admin_sistem", "kepala", "analis", "auditor")
@blp.response(200, ScheduleList)
def list_schedules():
    return {"items": schedules.list_schedules(database())}
