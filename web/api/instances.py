from flask import g
from flask_smorest import Blueprint

from engine.roles import ROLES
from engine.services import documents as document_service
from engine.services import instances, journal

from ..auth import ACTORS, principal, roles
from ..extensions import database, engine_config
from . import schemas

blp = Blueprint("instances", __name__, url_prefix="/api/v1/process-instances", description="Cases")


@blp.route("", methods=["POST"])
@roles(*ACTORS)
@blp.arguments(schemas.StartRequest)
@blp.response(201, schemas.Instance)
def start(body):
    return instances.start(database(), body["process"], body["data"], principal(), engine_config(), g.request_id)


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.arguments(schemas.InstanceQuery, location="query")
@blp.response(200, schemas.InstanceList)
def list_instances(query):
    """Cases the caller may see (a supplier: their own), newest first, paged by `after` (keyset)."""
    items = instances.list_instances(database(), principal(), process_id=query.get("process"),
                                     state=query.get("state"), limit=query["limit"], after_id=query.get("after"),
                                     started_from=query.get("started_from"), started_to=query.get("started_to"))
    return {"items": items, "next_after": items[-1]["id"] if len(items) == query["limit"] else None}


@blp.route("/<int:instance_id>", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.Instance)
def get(instance_id):
    return instances.get(database(), instance_id, principal(), engine_config())


@blp.route("/<int:instance_id>/cancel", methods=["POST"])
@roles(*ACTORS)
@blp.arguments(schemas.CancelRequest)
@blp.response(200, schemas.Instance)
def cancel(body, instance_id):
    return instances.cancel(database(), instance_id, principal(), body["reason"], engine_config(), g.request_id)


@blp.route("/<int:instance_id>/retry", methods=["POST"])
@roles("admin_sistem", "kepala", "analis")
@blp.response(200, schemas.Instance)
def retry(instance_id):
    return instances.retry(database(), instance_id, principal(), engine_config(), g.request_id)


@blp.route("/<int:instance_id>/messages", methods=["POST"])
@roles("kepala", "sekretariat", "admin_sistem", "verifikator", "layanan")
@blp.arguments(schemas.MessageRequest)
@blp.response(200, schemas.Instance)
def message(body, instance_id):
    return instances.deliver_message(database(), instance_id, body["message"], body["payload"], principal(),
                                     engine_config(), g.request_id)


@blp.route("/<int:instance_id>/events", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.EventList)
def events(instance_id):
    items = journal.events(database(), instance_id, principal())
    problem = journal.verify(database(), instance_id, principal())
    return {"items": items, "verified": problem is None, "broken_at": problem.seq if problem else None,
            "problem": problem.problem if problem else None}


@blp.route("/<int:instance_id>/documents", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.DocumentList)
def documents(instance_id):
    """The document scans filed with the case; download each with `GET /api/v1/documents/{id}`."""
    return {"items": document_service.list_for_instance(database(), principal(), instance_id)}
