from flask import g
from flask_smorest import Blueprint

from engine.roles import ROLES
from engine.services import tasks

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="The task inbox")


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.arguments(schemas.TaskQuery, location="query")
@blp.response(200, schemas.TaskList)
def inbox(query):
    items, counts = tasks.inbox(database(), principal(), process_id=query.get("process"), limit=query["limit"],
                                offset=query["offset"])
    return {"items": items, "counts": counts}


@blp.route("/<task_id>", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.Task)
def get(task_id):
    return tasks.get_task(database(), task_id, principal())


@blp.route("/<task_id>/complete", methods=["POST"])
@roles(*ACTORS)
@blp.arguments(schemas.CompleteRequest)
@blp.response(200, schemas.Instance)
def complete(body, task_id):
    return tasks.complete(database(), task_id, body["data"], principal(), engine_config(), g.request_id)
