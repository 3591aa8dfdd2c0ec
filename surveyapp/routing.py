"""URL converters shared by every blueprint.

An id in a URL larger than its column can hold cannot name a row, and the
database refuses to compare it (PostgreSQL: "integer out of range", SQLite:
an OverflowError in the driver), which would be a 500. Such URLs do not
match a rule at all, so they answer 404 like any other missing row.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

INTEGER_MAX = 2**31 - 1   # sqlalchemy.Integer: PostgreSQL "integer"
BIGINT_MAX = 2**63 - 1    # database.BigId: PostgreSQL "bigint"


class IdConverter(IntegerConverter):
    """``<int:...>``: an id of an ordinary (32-bit) integer column."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", INTEGER_MAX)
        super().__init__(map, *args, **kwargs)


class BigIdConverter(IntegerConverter):
    """``<bigid:...>``: an id of a ``BigId`` column (responses, feedback)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002
        kwargs.setdefault("max", BIGINT_MAX)
        super().__init__(map, *args, **kwargs)


def install(app) -> None:
    """Replace ``int`` before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigid"] = BigIdConverter
