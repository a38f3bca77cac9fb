from flask_smorest import Blueprint

from engine import registry
from engine.roles import ROLES
from forms import export

from ..auth import roles
from . import schemas

blp = Blueprint("forms", __name__, url_prefix="/api/v1/forms", description="User-task forms as JSON Schema")


@blp.route("", methods=["GET"])
@roles(*ROLES)
@blp.response(200, schemas.FormList)
def list_forms():
    return {"items": registry.form_names()}


@blp.route("/<name>", methods=["GET"])
@roles(*ROLES)
@blp.arguments(schemas.FormQuery, location="query")
@blp.response(200, schemas.JsonSchema)
def get_form(query, name):
    """JSON Schema of one form (`?lang=en` for English titles)."""
    return export.json_schema(name, query["lang"])
