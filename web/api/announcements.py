from flask_smorest import Blueprint

from engine.services import announcements

from ..auth import public
from ..extensions import database
from . import schemas

blp = Blueprint("announcements", __name__, url_prefix="/api/v1/announcements",
                description="Public announcements: technical problems and scheduled maintenance (Pasal 18d, 21(4))")


@blp.route("", methods=["GET"])
@public
@blp.response(200, schemas.AnnouncementList)
def list_public():
    """Announcements showing now, newest first (no sign-in needed)."""
    return {"items": announcements.list_public(database())}
