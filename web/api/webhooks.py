"""Outgoing webhooks: subscriptions, their delivery log and manual redelivery (role ``admin_sistem``)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.models.outbox import CANCELLED, DELIVERED, FAILED, HELD, PENDING
from webhooks import events, subscriptions

from ..auth import principal, roles
from ..extensions import database, engine_config

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Signed outgoing events (Standard Webhooks), with retries and a delivery log")
ADMIN = "admin_sistem"


class WebhookCreate(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    events = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True)
    description = fields.String(load_default="", validate=validate.Length(max=255))


class WebhookChange(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2048))
    events = fields.List(fields.String(validate=validate.Length(min=1, max=64)))
    description = fields.String(validate=validate.Length(max=255))


class Webhook(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    events = fields.List(fields.String())
    state = fields.String(metadata={"description": "active, paused or disabled (after a 410 Gone)"})
    state_reason = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    previous_secret_until = fields.DateTime(allow_none=True)
    deliveries = fields.Dict(keys=fields.String(), values=fields.Integer(),
                             metadata={"description": "number of messages per delivery state"})


class WebhookWithSecret(Webhook):
    secret = fields.String(metadata={"description": "whsec_ + base64 of 32 random bytes; shown only now"})


class WebhookList(Schema):
    items = fields.List(fields.Nested(Webhook))


class PauseRequest(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DeliveryQuery(Schema):
    state = fields.String(validate=validate.OneOf([PENDING, HELD, DELIVERED, FAILED, CANCELLED]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=validate.Range(min=1))


class Delivery(Schema):
    id = fields.Integer()
    webhook_id = fields.String(metadata={"description": "the webhook-id header: the same on every retry"})
    event_type = fields.String()
    instance_id = fields.Integer(allow_none=True)
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_latency_ms = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryList(Schema):
    items = fields.List(fields.Nested(Delivery))
    next_before = fields.Integer(allow_none=True)


class AttemptLog(Schema):
    attempt = fields.Integer()
    at = fields.DateTime()
    status = fields.Integer(allow_none=True)
    latency_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    response = fields.String(allow_none=True)


class DeliveryDetail(Delivery):
    body = fields.String()
    log = fields.List(fields.Nested(AttemptLog))


class RedeliverFailed(Schema):
    since = fields.AwareDateTime(load_default=None, allow_none=True)


class Requeued(Schema):
    requeued = fields.Integer()


class EventTypes(Schema):
    items = fields.List(fields.String())


@blp.route("", methods=["POST"])
@roles(ADMIN)
@blp.arguments(WebhookCreate)
@blp.response(201, WebhookWithSecret)
def create(body):
    return subscriptions.create(database(), principal(), engine_config(), body["url"], body["events"],
                                body["description"])


@blp.route("", methods=["GET"])
@roles(ADMIN)
@blp.response(200, WebhookList)
def list_webhooks():
    return {"items": subscriptions.list_endpoints(database())}


@blp.route("/event-types", methods=["GET"])
@roles(ADMIN)
@blp.response(200, EventTypes)
def event_types():
    return {"items": events.KNOWN}


@blp.route("/<int:endpoint_id>", methods=["GET"])
@roles(ADMIN)
@blp.response(200, Webhook)
def get(endpoint_id):
    return subscriptions.get(database(), endpoint_id)


@blp.route("/<int:endpoint_id>", methods=["PATCH"])
@roles(ADMIN)
@blp.arguments(WebhookChange)
@blp.response(200, Webhook)
def change(body, endpoint_id):
    return subscriptions.change(database(), endpoint_id, engine_config(), url=body.get("url"),
                                patterns=body.get("events"), description=body.get("description"))


@blp.route("/<int:endpoint_id>", methods=["DELETE"])
@roles(ADMIN)
@blp.response(204)
def delete(endpoint_id):
    subscriptions.delete(database(), endpoint_id)


@blp.route("/<int:endpoint_id>/pause", methods=["POST"])
@roles(ADMIN)
@blp.arguments(PauseRequest)
@blp.response(200, Webhook)
def pause(body, endpoint_id):
    return subscriptions.pause(database(), endpoint_id, body.get("reason"))


@blp.route("/<int:endpoint_id>/resume", methods=["POST"])
@roles(ADMIN)
@blp.response(200, Webhook)
def resume(endpoint_id):
    return subscriptions.resume(database(), endpoint_id)


@blp.route("/<int:endpoint_id>/rotate-secret", methods=["POST"])
@roles(ADMIN)
@blp.response(200, WebhookWithSecret)
def rotate_secret(endpoint_id):
    return subscriptions.rotate_secret(database(), endpoint_id)


@blp.route("/<int:endpoint_id>/test", methods=["POST"])
@roles(ADMIN)
@blp.response(202, Delivery)
def send_test(endpoint_id):
    return subscriptions.send_test(database(), endpoint_id, principal())


@blp.route("/<int:endpoint_id>/deliveries", methods=["GET"])
@roles(ADMIN)
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryList)
def deliveries(query, endpoint_id):
    items = subscriptions.deliveries(database(), endpoint_id, state=query.get("state"), limit=query["limit"],
                                     before=query.get("before"))
    return {"items": items, "next_before": items[-1]["id"] if len(items) == query["limit"] else None}


@blp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>", methods=["GET"])
@roles(ADMIN)
@blp.response(200, DeliveryDetail)
def delivery(endpoint_id, delivery_id):
    return subscriptions.delivery(database(), endpoint_id, delivery_id)


@blp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@roles(ADMIN)
@blp.response(202, Delivery)
def redeliver(endpoint_id, delivery_id):
    return subscriptions.redeliver(database(), endpoint_id, delivery_id)


@blp.route("/<int:endpoint_id>/redeliver-failed", methods=["POST"])
@roles(ADMIN)
@blp.arguments(RedeliverFailed)
@blp.response(202, Requeued)
def redeliver_failed(body, endpoint_id):
    return {"requeued": subscriptions.redeliver_failed(database(), endpoint_id, body.get("since"))}
