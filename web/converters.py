"""URL converters: an ``<int:...>`` id is a row id, so it fits a signed 64-bit column.

Werkzeug's own ``int`` takes any number of digits; a larger one reached the database and failed there
(SQLite: OverflowError, PostgreSQL: out of range), a 500 for what is only an id that cannot exist. Bounded
here, such a URL matches no route: 404. flask-smorest documents the bound as the parameter's ``maximum``.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1


class RowId(IntegerConverter):
    def __init__(self, url_map, fixed_digits=0, min=None, max=BIGINT_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
