"""XLSForm's question types read as Suara's (the importer's table; the
exporter writes each type's ``xlsform_type`` and ``xlsform_appearance``).

Like pyxform's question_type_dictionary, the other way round: an XLSForm
type gives a Suara type, which the options and appearance then refine.
"""

from __future__ import annotations

from typing import Any

from .base import QuestionType
from .choice import MultipleChoice, SingleChoice, YesNo
from .ranking import Ranking
from .simple import DateQuestion, LongText, Note, NumberQuestion, ShortText

IMPORTED: dict[str, type[QuestionType]] = {
    "select_one": SingleChoice,
    "select_multiple": MultipleChoice,
    "rank": Ranking,
    "integer": NumberQuestion,
    "decimal": NumberQuestion,
    "text": ShortText,
    "date": DateQuestion,
    "note": Note,
}
# The XLSForm types whose rows name a choice list.
SELECTS = ("select_one", "select_multiple", "rank")


def imported_type(base: str, options: list[dict[str, Any]] | None, appearance: str, settings: dict[str, Any]) -> str:
    """The Suara type name for XLSForm type ``base`` (one of ``IMPORTED``).
    A single choice of exactly yes and no becomes yes/no (scored 1 and 0),
    a multiline text a long text; ``settings`` gains what the XLSForm type
    and appearance say (whole numbers, a dropdown)."""
    cls = IMPORTED[base]
    if cls is SingleChoice and options is not None and sorted(o["code"] for o in options) == ["no", "yes"]:
        for option in options:
            option["value"] = 1 if option["code"] == "yes" else 0
        return YesNo.name
    if cls is SingleChoice and "minimal" in appearance:
        settings["display"] = "dropdown"
    if base == "integer":
        settings["integer"] = True
    if cls is ShortText and "multiline" in appearance:
        return LongText.name
    return cls.name
