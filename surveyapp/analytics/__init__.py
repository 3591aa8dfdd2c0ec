"""Analytics: pure statistics (stats/, no Flask or database; free text in text.py), the SQL read layer (queries.py) and the summary document built from both."""

from __future__ import annotations


def init_app(_app) -> None:
    """Subscribe the tally to structural edits of surveys (a deleted
    answered question or option resets its totals). Imports inside, so the
    pure stats/ package stays free of Flask and the database."""
    from ..surveys import versioning
    from . import tally

    versioning.subscribe(tally.on_structure_edit)
