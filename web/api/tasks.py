from flask import g
from flask_smorest import Blueprint

from engine import clock
from engine.roles import ROLES
from engine.services import inbox as inbox_service
from engine.services import tasks

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="The task inbox")

STAFF_ACTORS = tuple(r for r in ACTORS if r not in ("penyedia", "pengguna"))


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.arguments(schemas.TaskQuery, location="query")
@blp.response(200, schemas.TaskList)
def inbox(query):
    """Open tasks of the caller's roles and those assigned to the caller, overdue first, with counts per process.

    Paged by a keyset cursor (`next_cursor`), stable while tasks are completed or added meanwhile."""
    due_before = query.get("due_before")
    if query.get("overdue"):
        due_before = min(due_before, clock.now()) if due_before else clock.now()
    filters = inbox_service.Filters(query.get("process"), due_before, query.get("assignee"))
    page = inbox_service.inbox(database(), principal(), filters, limit=query["limit"], cursor=query.get("cursor"))
    return {"items": page.items, "counts": page.counts, "next_cursor": page.next_cursor}


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
    """Complete with the form's data: 200 the case; 403 wrong role or claimed by another; 409 already done;
    422 `errors` per field."""
    return tasks.complete(database(), task_id, body["data"], principal(), engine_config(), g.request_id)


@blp.route("/<task_id>/claim", methods=["POST"])
@roles(*STAFF_ACTORS)
@blp.response(200, schemas.Task)
def claim(task_id):
    """Take the task: from now on only the caller may complete it (journaled as `task.claimed`)."""
    return tasks.claim(database(), task_id, principal(), g.request_id)


@blp.route("/<task_id>/unclaim", methods=["POST"])
@roles(*STAFF_ACTORS)
@blp.response(200, schemas.Task)
def unclaim(task_id):
    """Give a claimed task back to the role (journaled as `task.unclaimed`)."""
    return tasks.unclaim(database(), task_id, principal(), g.request_id)


@blp.route("/<task_id>/reassign", methods=["POST"])
@roles("kepala")
@blp.arguments(schemas.ReassignRequest)
@blp.response(200, schemas.Task)
def reassign(body, task_id):
    """Kepala hands the task to a colleague holding its role (or releases it), with a reason (journaled)."""
    return tasks.reassign(database(), task_id, principal(), body["assignee"], body["reason"], g.request_id)
