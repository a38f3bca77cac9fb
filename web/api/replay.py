"""``GET /api/v1/process-instances/{id}/replay?upto=N``: the case as it was after event N, re-run from its
journal (engine/replay.py). Personal numbers (NIK, NPWP) and password hashes are masked in what it returns."""
from __future__ import annotations

import re

from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump, validate

from engine.roles import READ_ONLY, STAFF
from engine.services import replay

from ..auth import principal, roles
from ..extensions import database, engine_config
from ..logs import mask

blp = Blueprint("replay", __name__, url_prefix="/api/v1/process-instances", description="Replay (auditors)")
READERS = tuple(sorted(STAFF | READ_ONLY))
_SECRET = re.compile(r"kata_sandi|password", re.IGNORECASE)


def masked(value, key: str = ""):
    """A copy of ``value`` with NIK/NPWP masked in every string and secrets blanked."""
    if _SECRET.search(key):
        return "••••••"
    if isinstance(value, dict):
        return {k: masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if isinstance(value, str):
        return mask(value)
    return value


class ReplayQuery(Schema):
    upto = fields.Integer(validate=validate.Range(min=0), metadata={
        "description": "Show the case after this event (1 … the case's last event); the last event when left out"})


class ReplayEvent(Schema):
    seq = fields.Integer()
    type = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    pasal = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    at = fields.DateTime()
    data = fields.Dict()

    @post_dump
    def _mask(self, out: dict, **_) -> dict:
        out["data"] = masked(out.get("data") or {})
        out["reason"] = mask(out["reason"]) if out.get("reason") else out.get("reason")
        return out


class ReplayTask(Schema):
    id = fields.String(attribute="task_id")
    element_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    pasal = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    opened_at = fields.DateTime()
    opened_seq = fields.Integer()


class ReplayDivergence(Schema):
    seq = fields.Integer()
    field = fields.String()
    expected = fields.Raw(allow_none=True)
    got = fields.Raw(allow_none=True)
    problem = fields.String()

    @post_dump
    def _mask(self, out: dict, **_) -> dict:
        return masked(out)


class CaseReplay(Schema):
    instance_id = fields.Integer()
    process_id = fields.String()
    process_version = fields.Integer()
    upto = fields.Integer()
    total = fields.Integer(metadata={"description": "The case's number of events"})
    step_end = fields.Integer(metadata={
        "description": "The last event written in the same transaction as `upto`: the state shown is the step's"})
    event = fields.Nested(ReplayEvent, metadata={"description": "Event `upto` itself"})
    state = fields.String(metadata={"description": "running, completed, cancelled or error after the event"})
    data = fields.Dict(metadata={"description": "The case's data after the event"})
    changes = fields.Dict(metadata={"description": "What the step that wrote the event changed: before, after"})
    tasks = fields.List(fields.Nested(ReplayTask), metadata={"description": "Tasks open after the event"})
    elements = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Every element of the diagram: completed, active, error, cancelled or not_reached"})
    divergence = fields.Nested(ReplayDivergence, allow_none=True, metadata={
        "description": "Where the replay up to this event departs from the journal (null: it reproduces it)"})

    @post_dump
    def _mask(self, out: dict, **_) -> dict:
        out["data"] = masked(out["data"])
        out["changes"] = masked(out["changes"])
        return out


def as_body(case: replay.CaseAt) -> dict:
    from engine.store import diff

    result = case.result
    return {"instance_id": case.instance_id, "process_id": case.process_id, "process_version": case.process_version,
            "upto": case.upto, "total": case.total, "step_end": result.step_end, "event": case.event, "state": result.state,
            "data": result.data, "changes": diff(result.previous_data, result.data), "tasks": result.open_tasks,
            "elements": result.elements, "divergence": result.divergence}


@blp.route("/<int:instance_id>/replay", methods=["GET"])
@roles(*READERS)
@blp.arguments(ReplayQuery, location="query")
@blp.response(200, CaseReplay)
def replay_case(query, instance_id):
    """The case as it was after event `upto`: its data, open tasks and the state of every diagram element,
    re-run from the journal's recorded inputs on the case's pinned diagram version."""
    return as_body(replay.case_at(database(), instance_id, principal(), engine_config(), query.get("upto")))
