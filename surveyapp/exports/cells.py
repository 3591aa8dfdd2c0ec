"""What every export does to a cell: formula neutralising and ISO times."""

from __future__ import annotations

from sqlalchemy import String, func, literal

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A string a spreadsheet would run as a formula gets an apostrophe in
    front (OWASP "CSV injection"). Numbers Suara formats itself are safe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iso_time(column, dialect: str):
    """SQL for a naive UTC timestamp as ISO 8601 with ``Z``, whole seconds
    (what ``datetime.replace(microsecond=0).isoformat() + "Z"`` gives):
    cheaper in the database than a datetime parsed and formatted again in
    Python, a million times over."""
    if dialect == "postgresql":
        return func.to_char(column, literal('YYYY-MM-DD"T"HH24:MI:SS"Z"', String))
    return func.strftime(literal("%Y-%m-%dT%H:%M:%SZ", String), column)
