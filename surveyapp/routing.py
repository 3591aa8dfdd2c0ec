"""URL converters shared by every blueprint.

An id in a URL larger than its column can hold cannot name a row, and the
database refuses to compare it (PostgreSQL: "integer out of range", SQLite:
an OverflowError in the driver), which would be a 500. Such URLs do not
match a rule at all, so they answer 404 like any other missing row.
``id_from_text`` bounds ids sent in query strings and forms the same way.

The bound is in the converter's regex, not only in ``to_python``: werkzeug
runs ``to_python`` after it has matched a path, and by then it has noted
the methods of the path's other rules, so an out-of-range id on a path
that also takes POST would answer 405 ("use POST") instead of 404.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

INTEGER_MAX = 2**31 - 1  # sqlalchemy.Integer: PostgreSQL "integer"
BIGINT_MAX = 2**63 - 1  # database.BigId: PostgreSQL "bigint"


def at_most(largest: int) -> str:
    """A regex matching the decimal numbers 0..``largest`` (leading zeros
    allowed, as werkzeug's ``int`` allows them), and nothing larger."""
    digits = str(largest)
    width = len(digits)
    choices = [rf"\d{{1,{width - 1}}}"] if width > 1 else []
    for index, digit in enumerate(map(int, digits)):
        if digit:  # same leading digits, a smaller one here, any digits after
            rest = width - index - 1
            choices.append(
                digits[:index] + (f"[0-{digit - 1}]" if digit > 1 else "0") + (rf"\d{{{rest}}}" if rest else "")
            )
    choices.append(digits)
    return "0*(?:" + "|".join(choices) + ")"


class _BoundedId(IntegerConverter):
    largest = INTEGER_MAX

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", self.largest)
        super().__init__(map, *args, **kwargs)
        if not self.signed and self.max is not None:
            self.regex = at_most(self.max)


class IdConverter(_BoundedId):
    """``<int:...>``: an id of an ordinary (32-bit) integer column."""

    largest = INTEGER_MAX


class BigIdConverter(_BoundedId):
    """``<bigid:...>``: an id of a ``BigId`` column (responses, feedback)."""

    largest = BIGINT_MAX


def id_from_text(text: str | None, maximum: int = INTEGER_MAX) -> int | None:
    """An id sent in a query string or form, or None when it cannot name a
    row (not a whole number, or past its column), for the same reason."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:  # '²'.isdigit() is True
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def install(app) -> None:
    """Replace ``int`` before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigid"] = BigIdConverter
