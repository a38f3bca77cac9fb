from flask import request
from flask_smorest import Blueprint

from engine import registry
from engine.roles import ROLES
from forms import export

from ..auth import roles

blp = Blueprint("forms", __name__, url_prefix="/api/v1/forms", description="User-task forms as JSON Schema")


@blp.route("", methods=["GET"])
@roles(*ROLES)
def list_forms():
    return {"items": registry.form_names()}


@blp.route("/<name>", methods=["GET"])
@roles(*ROLES)
def get_form(name):
    """JSON Schema of one form (`?lang=en` for English titles)."""
    return export.json_schema(name, request.args.get("lang", "id"))
