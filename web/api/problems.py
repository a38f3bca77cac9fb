"""How the OpenAPI document describes errors: the RFC 9457 body ``web.errors.problem`` sends, as
``application/problem+json`` (flask-smorest's default says ``application/json`` and a different shape, so a
client generated from the document, or schemathesis, would reject every error the API really returns).
"""
from __future__ import annotations

import http

from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields

from ..errors import PROBLEM


class Problem(Schema):
    """RFC 9457 problem details; ``errors`` (per field) and other members appear where they apply."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 lets a problem type add members (``retry_after``, ``problems`` ...)

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    request_id = fields.String(allow_none=True)
    # Per field (an object of messages) or, for a refused diagram, the list of its problems.
    errors = fields.Raw(metadata={"description": "What to fix: per field (422), or a diagram's problems."})
    retry_after = fields.Integer(metadata={"description": "Seconds to wait before trying again (429)."})


def register_responses(api) -> None:
    """One response component per status and ``DEFAULT_ERROR``, all problem+json with the Problem schema."""
    for status in http.HTTPStatus:
        response = {"description": status.phrase}
        if not (100 <= status < 200) and status not in (204, 304):
            response["schema"] = Problem
        prepare_response(response, api.spec, PROBLEM)
        api.spec.components.response(status.name, response, lazy=True)
    response = {"description": "Default error response", "schema": Problem}
    prepare_response(response, api.spec, PROBLEM)
    api.spec.components.response("DEFAULT_ERROR", response, lazy=True)
