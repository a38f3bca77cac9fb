from flask import current_app, request
from flask_smorest import Blueprint

from engine.services import accounts, signin

from ..auth import public
from ..extensions import database
from . import schemas

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="API tokens")


@blp.route("/token", methods=["POST"])
@public
@blp.arguments(schemas.TokenRequest)
@blp.response(200, schemas.TokenResponse)
def token(body):
    principal = signin.sign_in(database(), body["username"], body["password"], request.remote_addr,
                               current_app.config)
    return {"token": accounts.issue_token(database(), principal, current_app.config["SECRET_KEY"]),
            "username": principal.username, "roles": sorted(principal.roles),
            "expires_in": int(current_app.config["TOKEN_TTL"])}
