"""Question types: one class per type, found by name in ``QUESTION_TYPES``.

Each class knows how its answer is read from a submitted form, validated,
stored as long-format answer rows, read back, and compared by skip logic.
"""

from __future__ import annotations

from .base import AnswerRow, QuestionType
from .choice import MultipleChoice, SingleChoice, YesNo
from .ranking import Ranking
from .scales import Likert, Matrix, Rating010, Stars
from .simple import DateQuestion, LongText, Note, NumberQuestion, ShortText

QUESTION_TYPES: dict[str, QuestionType] = {
    cls.name: cls()
    for cls in (
        SingleChoice,
        MultipleChoice,
        YesNo,
        Likert,
        Matrix,
        Rating010,
        Stars,
        Ranking,
        NumberQuestion,
        DateQuestion,
        ShortText,
        LongText,
        Note,
    )
}


# The type the builder offers first.
DEFAULT_TYPE = SingleChoice.name


def get_type(name: str) -> QuestionType:
    """The type object for ``name``; raises KeyError for an unknown type."""
    return QUESTION_TYPES[name]


__all__ = ["AnswerRow", "DEFAULT_TYPE", "QuestionType", "QUESTION_TYPES", "get_type"]
