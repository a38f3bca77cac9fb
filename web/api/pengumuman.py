from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine import clock
from workflows import pengumuman

from ..auth import public
from ..extensions import database

blp = Blueprint("pengumuman", __name__, url_prefix="/api/v1/pengumuman",
                description="Public announcements of technical problems and maintenance (Pasal 18d, 21(4))")


class PengumumanSchema(Schema):
    id = fields.Integer()
    jenis = fields.String()
    judul = fields.String()
    isi = fields.String()
    mulai = fields.DateTime(allow_none=True)
    sampai = fields.DateTime(allow_none=True)
    diterbitkan_pada = fields.DateTime()


class PengumumanList(Schema):
    items = fields.List(fields.Nested(PengumumanSchema))


@blp.route("", methods=["GET"])
@public
@blp.response(200, PengumumanList)
def daftar():
    """Announcements in force, newest first; open to everyone."""
    return {"items": pengumuman.berlaku(database(), clock.now())}
