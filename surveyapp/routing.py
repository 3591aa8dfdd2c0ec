"""URL converters shared by every blueprint.

An id in a URL larger than its column can hold cannot name a row, and the
database refuses to compare it (PostgreSQL: "integer out of range", SQLite:
an OverflowError in the driver), which would be a 500. Such URLs do not
match a rule at all, so they answer 404 like any other missing row.
``id_from_text`` bounds ids sent in query strings and forms the same way.
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


def id_from_text(text: str | None, maximum: int = INTEGER_MAX) -> int | None:
    """An id sent in a query string or form, or None when it cannot name a
    row (not a whole number, or past its column), for the same reason."""
    text = (text or "").strip()
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def install(app) -> None:
    """Replace ``int`` before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigid"] = BigIdConverter
