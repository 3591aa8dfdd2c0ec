"""The contract every question type follows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import gettext as _


@dataclass(frozen=True)
class Operands:
    """What skip logic compares for one answer: the chosen option codes,
    the numeric value (a score for scale points), and the text."""

    answered: bool = False
    codes: frozenset = frozenset()
    number: float | None = None
    text: str | None = None


NO_ANSWER = Operands()

# C0 control characters other than tab and line feed: never meaningful in an
# answer, and PostgreSQL refuses NUL in text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value) -> str:
    """Text from a form with Windows line breaks normalised, control
    characters removed and outer spaces stripped."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n")).strip()


@dataclass(frozen=True)
class AnswerRow:
    """One row of the ``answers`` table, before it has a response id."""

    option_id: int | None = None
    item_id: int | None = None
    value_num: float | None = None
    value_text: str | None = None


class QuestionType:
    """Base class. ``raw`` is what the resident sent, kept as typed so a page
    with an error shows every answer again exactly as given."""

    name: ClassVar[str]
    uses_options: ClassVar[bool] = False
    uses_items: ClassVar[bool] = False
    numeric: ClassVar[bool] = False  # may be compared with gt/lt in logic
    takes_answer: ClassVar[bool] = True
    allows_other: ClassVar[bool] = False
    # How results are summarised (analytics dispatches on it): choice,
    # multi, scale, matrix, rating, ranking, number, date, text or None.
    summary_family: ClassVar[str | None] = None

    # ---- definition -------------------------------------------------
    def check_definition(self, q: dict) -> list[tuple[str, str]]:
        """Type-specific problems in a question's JSON definition, as
        ``(relative path, message)`` pairs; the caller prefixes the path."""
        return []

    def default_options(self) -> list[dict] | None:
        """Options the importer adds when a definition gives none."""
        return None

    # ---- collection -------------------------------------------------
    @staticmethod
    def field_name(question, suffix: str | None = None) -> str:
        return f"q-{question.code}" + (f"-{suffix}" if suffix else "")

    def read(self, question, form) -> Any:
        """The raw answer from a submitted form (a MultiDict)."""
        return clean_text(form.get(self.field_name(question)))

    def is_empty(self, raw: Any) -> bool:
        return raw in (None, "", [], {})

    def validate(self, question, raw: Any) -> str | None:
        """A message for the resident, or None; ``raw`` is not empty."""
        return None

    def to_rows(self, question, raw: Any) -> list[AnswerRow]:
        raise NotImplementedError

    def from_rows(self, question, rows: list) -> Any:
        """Rebuild ``raw`` from stored answer rows (resume, re-display)."""
        raise NotImplementedError

    # ---- logic ------------------------------------------------------
    def operands(self, question, raw: Any, item: str | None = None) -> Operands:
        """What a condition compares for this answer (``item``: matrix row)."""
        if self.is_empty(raw):
            return NO_ANSWER
        return Operands(answered=True, text=str(raw))

    # ---- helpers ----------------------------------------------------
    @staticmethod
    def active_options(question, kind: str = "choice") -> list:
        return [o for o in question.options if o.kind == kind and o.retired_at is None]

    @staticmethod
    def required_message() -> str:
        return _("Please answer this question.")


def parse_number(text: str, integer: bool = False) -> float | None:
    """Accepts both 1.5 and the Indonesian 1,5; None when not a number."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if integer and not value.is_integer():
        return None
    return value
