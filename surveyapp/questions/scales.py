"""Likert scales, matrices, 0-10 ratings and stars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .base import (
    NO_ANSWER,
    AnswerRow,
    BuilderRow,
    Definition,
    DemoSource,
    FormData,
    Operands,
    PaperForm,
    Problem,
    QuestionLike,
    QuestionType,
    RawAnswer,
    SettingsForm,
    StoredAnswer,
    normalise_by_code,
    parse_number,
)
from .choice import SingleChoice

# The agreement scale a new Likert scale or matrix starts with, by points:
# (Indonesian, English) labels scored 1..n.
AGREEMENT_SCALES = {
    5: [
        ("Sangat tidak setuju", "Strongly disagree"),
        ("Tidak setuju", "Disagree"),
        ("Netral", "Neither agree nor disagree"),
        ("Setuju", "Agree"),
        ("Sangat setuju", "Strongly agree"),
    ],
    7: [
        ("Sangat tidak setuju", "Strongly disagree"),
        ("Tidak setuju", "Disagree"),
        ("Agak tidak setuju", "Somewhat disagree"),
        ("Netral", "Neither agree nor disagree"),
        ("Agak setuju", "Somewhat agree"),
        ("Setuju", "Agree"),
        ("Sangat setuju", "Strongly agree"),
    ],
}


def agreement_scale(points: int = 5) -> list[dict[str, Any]]:
    """The preset agreement scale of ``points`` points, as definitions."""
    return [
        {"code": str(n), "label": {"id": indonesian, "en": english}, "value": n}
        for n, (indonesian, english) in enumerate(AGREEMENT_SCALES[points], start=1)
    ]


class Likert(SingleChoice):
    """A labelled 5- or 7-point scale; each option carries its score."""

    name = "likert"
    label = _l("Agreement or satisfaction scale (Likert)")
    summary_family = "scale"
    spss_measure = "ordinal"
    xlsform_appearance = "likert"
    change_scale = "ordinal"
    numeric = True
    allows_other = False
    initial_settings = {"points": "5"}

    def presets(self, points: int = 5) -> list[dict[str, Any]]:
        return agreement_scale(points)

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        points = form.raw("points") or "5"
        if points not in ("5", "7"):
            form.error("points", _("A Likert scale has 5 or 7 points."))
        else:
            form.settings["points"] = int(points)

    def option_count_error(self, options: Sequence[BuilderRow], settings: Mapping[str, Any]) -> str | None:
        points = settings.get("points", 5)
        if len(options) != points:
            return _("A %(n)d-point scale needs exactly %(n)d answers.", n=points)
        if any(o.get("value") is None for o in options):
            return _("Every point of a scale needs a numeric value.")
        return None

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
    label = _l("Matrix (several rows on one scale)")
    summary_family = "matrix"
    export_shape = "grid"
    xlsform_type = "group"
    spss_measure = "ordinal"
    uses_options = True
    uses_items = True
    numeric = True

    def presets(self, points: int = 5) -> list[dict[str, Any]]:
        return agreement_scale(points)

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

    def normalise(self, value: Any) -> dict[str, str]:
        return normalise_by_code(value)

    def is_empty(self, raw: RawAnswer) -> bool:
        return not raw or not any(raw.values())

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.grid(self.active_options(question), self.active_options(question, "item"))

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> dict[str, str] | None:
        if self.demo_skips(question, demo):
            return None
        top = len(self.active_options(question))
        return {
            item.code: str(demo.around(demo.item_mean(question, item.code, top * 0.78), 0.9, 1, top))
            for item in self.active_options(question, "item")
        }

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
    label = _l("Rating 0 to 10")
    summary_family = "rating"
    export_shape = "number"
    whole_numbers = True
    xlsform_type = "integer"
    change_scale = "numeric"
    numeric = True
    low, high = 0, 10

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        form.texts("low_label")
        form.texts("high_label")

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        settings = question.settings or {}
        form.number_scale(self.low, self.high, (settings.get("low_label"), settings.get("high_label")))

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> str | None:
        if self.demo_skips(question, demo):
            return None
        return str(demo.around(demo.mean(question, 8.0), 2.0, self.low, self.high))

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
    label = _l("Stars (1 to 5)")
    low, high = 1, 5

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        pass  # no settings

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> str | None:
        if self.demo_skips(question, demo):
            return None
        return str(demo.around(4.0, 0.9, self.low, self.high))
