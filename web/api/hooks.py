"""Incoming hooks: the trigger other systems call, and its configuration (role ``admin_sistem``)."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.roles import ROLES
from engine.services import accounts
from webhooks import inbound

from ..auth import principal, public, roles
from ..extensions import database, engine_config

blp = Blueprint("hooks", __name__, url_prefix="/api/v1", description="Incoming hooks: start a case or deliver a "
                "BPMN message from another system, authenticated and idempotent")
ADMIN = "admin_sistem"


class HookSpec(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    action = fields.String(required=True, validate=validate.OneOf(["start", "message"]))
    process = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    message = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    instance_field = fields.String(load_default="instance_id", validate=validate.Length(min=1, max=64))
    auth = fields.String(required=True, validate=validate.OneOf(["token", "hmac"]))
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), load_default=list)
    act_as = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(ROLES)))


class HookChange(Schema):
    action = fields.String(validate=validate.OneOf(["start", "message"]))
    process = fields.String(validate=validate.Length(max=255))
    message = fields.String(validate=validate.Length(max=255))
    instance_field = fields.String(validate=validate.Length(min=1, max=64))
    auth = fields.String(validate=validate.OneOf(["token", "hmac"]))
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))))
    act_as = fields.String(validate=validate.OneOf(list(ROLES)))
    enabled = fields.Boolean()


class Hook(Schema):
    name = fields.String()
    url = fields.String()
    action = fields.String()
    process = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    instance_field = fields.String()
    auth = fields.String()
    roles = fields.List(fields.String())
    act_as = fields.String(allow_none=True)
    enabled = fields.Boolean()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HookWithSecret(Hook):
    secret = fields.String(allow_none=True, metadata={"description": "HMAC hooks only; shown only now"})


class HookList(Schema):
    items = fields.List(fields.Nested(Hook))


class TriggerResponse(Schema):
    hook = fields.String()
    action = fields.String()
    instance_id = fields.Integer()
    process = fields.String()
    message = fields.String()


def _bearer(token: str):
    return accounts.principal_from_token(database(), token, current_app.config["SECRET_KEY"],
                                         int(current_app.config["TOKEN_TTL"]))


@blp.route("/hooks/<name>", methods=["POST"])
@public  # authenticated inside: a bearer token or the hook's HMAC signature, as the hook is configured
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"}}],
         responses={"200": {"description": "message delivered",
                            "content": {"application/json": {"schema": TriggerResponse}}},
                    "201": {"description": "case started",
                            "content": {"application/json": {"schema": TriggerResponse}}}})
def trigger(name):
    result = inbound.trigger(database(), engine_config(), name, request.headers, request.get_data(cache=False),
                             _bearer, g.request_id)
    response = jsonify(TriggerResponse().dump(result.body))
    response.status_code = result.status
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/inbound-hooks", methods=["POST"])
@roles(ADMIN)
@blp.arguments(HookSpec)
@blp.response(201, HookWithSecret)
def create(body):
    return inbound.create_hook(database(), principal(), body)


@blp.route("/inbound-hooks", methods=["GET"])
@roles(ADMIN)
@blp.response(200, HookList)
def list_hooks():
    return {"items": inbound.list_hooks(database())}


@blp.route("/inbound-hooks/<name>", methods=["GET"])
@roles(ADMIN)
@blp.response(200, Hook)
def get(name):
    return inbound.get_hook(database(), name)


@blp.route("/inbound-hooks/<name>", methods=["PATCH"])
@roles(ADMIN)
@blp.arguments(HookChange)
@blp.response(200, HookWithSecret)
def change(body, name):
    return inbound.change_hook(database(), name, body)


@blp.route("/inbound-hooks/<name>", methods=["DELETE"])
@roles(ADMIN)
@blp.response(204)
def delete(name):
    inbound.delete_hook(database(), name)


@blp.route("/inbound-hooks/<name>/rotate-secret", methods=["POST"])
@roles(ADMIN)
@blp.response(200, HookWithSecret)
def rotate_secret(name):
    return inbound.rotate_hook_secret(database(), name)
