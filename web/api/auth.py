from flask import current_app
from flask_smorest import Blueprint

from engine.services import accounts

from ..auth import public
from ..extensions import database
from . import schemas

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="API tokens")


@blp.route("/token", methods=["POST"])
@public
@blp.arguments(schemas.TokenRequest)
@blp.response(200, schemas.TokenResponse)
def token(body):
    principal = accounts.authenticate(database(), body["username"], body["password"])
    return {"token": accounts.issue_token(database(), principal, current_app.config["SECRET_KEY"]),
            "username": principal.username, "roles": sorted(principal.roles),
            "expires_in": int(current_app.config["TOKEN_TTL"])}
