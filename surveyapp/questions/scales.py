"""Likert scales, matrices, 0-10 ratings and stars."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from .base import (
    NO_ANSWER,
    AnswerRow,
    Definition,
    FormData,
    Operands,
    Problem,
    QuestionLike,
    QuestionType,
    RawAnswer,
    StoredAnswer,
    parse_number,
)
from .choice import SingleChoice


class Likert(SingleChoice):
    """A labelled 5- or 7-point scale; each option carries its score."""

    name = "likert"
    summary_family = "scale"
    numeric = True
    allows_other = False

    def check_definition(self, q: Definition) -> list[Problem]:
        options = q.get("options") or []
        points = (q.get("settings") or {}).get("points", len(options))
        problems = []
        if points not in (5, 7):
            problems.append(("settings.points", _("A Likert scale has 5 or 7 points.")))
        if len(options) != points:
            problems.append(("options", _("A %(n)d-point scale needs exactly %(n)d options.", n=points)))
        if any(not isinstance(o.get("value"), (int, float)) for o in options):
            problems.append(("options", _("Every point of a scale needs a numeric value.")))
        return problems


class Matrix(QuestionType):
    """Several items on one shared scale: one answer row per item."""

    name = "matrix"
    summary_family = "matrix"
    uses_options = True
    uses_items = True
    numeric = True

    def check_definition(self, q: Definition) -> list[Problem]:
        problems = []
        if len(q.get("options") or []) < 2:
            problems.append(("options", _("A matrix needs a scale of at least 2 points.")))
        if not q.get("items"):
            problems.append(("items", _("A matrix needs at least one item (row).")))
        return problems

    def read(self, question: QuestionLike, form: FormData) -> dict[str, str]:
        return {
            item.code: (form.get(self.field_name(question, item.code)) or "").strip()
            for item in self.active_options(question, "item")
        }

    def is_empty(self, raw: RawAnswer) -> bool:
        return not raw or not any(raw.values())

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        scale = {o.code for o in self.active_options(question)}
        items = {i.code for i in self.active_options(question, "item")}
        if any(item not in items for item in raw) or any(v and v not in scale for v in raw.values()):
            return _("Choose one of the listed answers.")
        if question.required and not all(raw.values()):
            return _("Please answer every row.")
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        scale = {o.code: o for o in self.active_options(question)}
        items = {i.code: i for i in self.active_options(question, "item")}
        return [
            AnswerRow(option_id=scale[code].id, item_id=items[item].id, value_num=scale[code].value)
            for item, code in raw.items()
            if code
        ]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> dict[str, str]:
        codes = {o.id: o.code for o in question.options}
        return {codes[r.item_id]: codes[r.option_id] for r in rows if r.item_id in codes and r.option_id in codes}

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw) or item is None or not raw.get(item):
            return NO_ANSWER
        option = next((o for o in self.active_options(question) if o.code == raw[item]), None)
        return Operands(answered=True, codes=frozenset([raw[item]]), number=option.value if option else None)


class Rating010(QuestionType):
    """0-10 (recommend and trust items); stored as a number."""

    name = "rating_0_10"
    summary_family = "rating"
    numeric = True
    low, high = 0, 10

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        value = parse_number(raw, integer=True)
        if value is None or not self.low <= value <= self.high:
            return _("Choose a number from %(low)d to %(high)d.", low=self.low, high=self.high)
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        return [AnswerRow(value_num=parse_number(raw, integer=True))]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> str:
        return next((f"{r.value_num:g}" for r in rows if r.value_num is not None), "")

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw):
            return NO_ANSWER
        return Operands(answered=True, number=parse_number(raw))


class Stars(Rating010):
    name = "stars"
    low, high = 1, 5
