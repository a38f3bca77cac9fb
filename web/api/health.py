from flask_smorest import Blueprint
from sqlalchemy import text

from ..auth import public
from ..errors import problem
from ..extensions import database
from . import schemas

blp = Blueprint("health", __name__, url_prefix="/", description="Liveness of the service and its database")


@blp.route("/healthz")
@public
@blp.response(200, schemas.Health)
def healthz():
    try:
        with database().reader() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        return problem(503, "Basis data tidak menjawab. / The database does not answer.")
    return {"status": "ok", "database": "ok"}
