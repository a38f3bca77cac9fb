"""Notifications: each user's in-app list with unread count and e-mail preference; failed e-mails for
``sekretariat``; templates edited without code."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.roles import ROLES
from notifications import inbox

from ..auth import principal, roles
from ..extensions import database, engine_config

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="In-app notifications, e-mail "
                "preferences, failed e-mails and notification templates")
FRONT_OFFICE = ("sekretariat", "admin_sistem", "kepala")
EDITORS = ("sekretariat", "analis")


class NotificationQuery(Schema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    before = fields.Integer(validate=validate.Range(min=1))


class Notification(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "tugas (a task landed in your inbox) or pesan (a message)"})
    title = fields.String()
    body = fields.String()
    title_en = fields.String()
    body_en = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Boolean()


class NotificationList(Schema):
    items = fields.List(fields.Nested(Notification))
    unread = fields.Integer()
    next_before = fields.Integer(allow_none=True)


class Unread(Schema):
    unread = fields.Integer()


class Updated(Schema):
    updated = fields.Integer()


class Settings(Schema):
    task_email = fields.String(required=True, validate=validate.OneOf(inbox.MODES), metadata={
        "description": "instant: one e-mail per task; digest: one e-mail a day; off: in the app only"})
    last_digest_at = fields.DateTime(dump_only=True, allow_none=True)


class FailureQuery(Schema):
    retrying = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=validate.Range(min=1))


class Failure(Schema):
    id = fields.Integer()
    recipient = fields.String(allow_none=True)
    subject = fields.String()
    event_type = fields.String()
    instance_id = fields.Integer(allow_none=True)
    state = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime(allow_none=True)


class FailureList(Schema):
    items = fields.List(fields.Nested(Failure))


class Resend(Schema):
    recipient = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))


class TemplateParts(Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    subject_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body_en = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class Template(TemplateParts):
    name = fields.String()
    source = fields.String(metadata={"description": "file (workflows/notifications) or database (edited here)"})


class TemplateList(Schema):
    items = fields.List(fields.Nested(Template))


class PreviewRequest(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class Preview(Schema):
    subject = fields.String()
    body = fields.String()
    subject_en = fields.String()
    body_en = fields.String()


@blp.route("/notifications", methods=["GET"])
@roles(*ROLES)
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, NotificationList)
def list_notifications(query):
    items, unread = inbox.list_notifications(database(), principal(), unread_only=query["unread"],
                                             limit=query["limit"], before=query.get("before"))
    return {"items": items, "unread": unread,
            "next_before": items[-1]["id"] if len(items) == query["limit"] else None}


@blp.route("/notifications/unread-count", methods=["GET"])
@roles(*ROLES)
@blp.response(200, Unread)
def unread_count():
    return {"unread": inbox.unread_count(database(), principal())}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@roles(*ROLES)
@blp.response(200, Notification)
def mark_read(notification_id):
    return inbox.mark_read(database(), principal(), notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@roles(*ROLES)
@blp.response(200, Updated)
def mark_all_read():
    return {"updated": inbox.mark_all_read(database(), principal())}


@blp.route("/notifications/settings", methods=["GET"])
@roles(*ROLES)
@blp.response(200, Settings)
def get_settings():
    return inbox.get_settings(database(), principal())


@blp.route("/notifications/settings", methods=["PUT"])
@roles(*ROLES)
@blp.arguments(Settings)
@blp.response(200, Settings)
def put_settings(body):
    return inbox.put_settings(database(), principal(), body["task_email"])


@blp.route("/notifications/failures", methods=["GET"])
@roles(*FRONT_OFFICE)
@blp.arguments(FailureQuery, location="query")
@blp.response(200, FailureList)
def failures(query):
    return {"items": inbox.failures(database(), retrying=query["retrying"], limit=query["limit"],
                                    before=query.get("before"))}


@blp.route("/notifications/failures/<int:outbox_id>/resend", methods=["POST"])
@roles("sekretariat", "admin_sistem")
@blp.arguments(Resend)
@blp.response(202, Failure)
def resend(body, outbox_id):
    return inbox.resend(database(), outbox_id, body.get("recipient"))


@blp.route("/notification-templates", methods=["GET"])
@roles(*EDITORS, "admin_sistem")
@blp.response(200, TemplateList)
def list_templates():
    return {"items": inbox.list_templates(database(), engine_config())}


@blp.route("/notification-templates/<name>", methods=["GET"])
@roles(*EDITORS, "admin_sistem")
@blp.response(200, Template)
def get_template(name):
    return inbox.get_template(database(), engine_config(), name)


@blp.route("/notification-templates/<name>", methods=["PUT"])
@roles(*EDITORS)
@blp.arguments(TemplateParts)
@blp.response(200, Template)
def put_template(body, name):
    return inbox.put_template(database(), engine_config(), principal(), name, body)


@blp.route("/notification-templates/<name>", methods=["DELETE"])
@roles(*EDITORS)
@blp.response(204)
def reset_template(name):
    inbox.reset_template(database(), engine_config(), name)


@blp.route("/notification-templates/<name>/preview", methods=["POST"])
@roles(*EDITORS, "admin_sistem")
@blp.arguments(PreviewRequest)
@blp.response(200, Preview)
def preview(body, name):
    return inbox.preview(database(), engine_config(), name, body["data"])
