"""The column layout of an export: which variables a survey's questions
become (question code -> columns), with labels and codes for the codebook
and SPSS value labels.

One layout serves every format, so a variable has the same name in the CSV,
the workbook, the .sav file and the codebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..questions import QUESTION_TYPES, QuestionType, get_type
from ..surveys.models import Question, Survey, pick_language

META_COLUMNS = ("response_id", "status", "channel", "language", "started_at", "submitted_at", "duration_seconds")
# SPSS refuses these as variable names.
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
NAME_MAX = 64
LABEL_MAX = 256
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")

# Column kinds: code (an option code; numeric with value labels in SPSS),
# flag (0/1 per option of a multiple choice), number, rank, date, text.
# Which a question gets follows its type's export_shape.


@dataclass
class Column:
    name: str
    label: str
    kind: str
    question_code: str | None = None
    question_text: str = ""
    qtype: str = ""
    # (option code, SPSS number, label) for "code" columns.
    codes: list[tuple[str, float, str]] = field(default_factory=list)
    retired: bool = False
    # The option or matrix item a column stands for; "other" for the
    # "please specify" text.
    part: str | None = None

    def spss_codes(self) -> dict[str, float]:
        return {code: number for code, number, _label in self.codes}

    @property
    def question_type(self) -> QuestionType | None:
        """The type of the column's question; None for metadata."""
        return QUESTION_TYPES.get(self.qtype)


@dataclass
class Layout:
    columns: list[Column]
    # question id -> (handler kind, data) used by rows.assemble
    handlers: dict[int, tuple]
    question_ids: list[int]
    weighted: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


class _Names:
    """Hands out unique, SPSS-valid variable names."""

    def __init__(self):
        self.taken: set[str] = set()

    def take(self, wanted: str) -> str:
        name = _UNSAFE.sub("_", wanted)[:NAME_MAX] or "v"
        if not name[0].isalpha():
            name = ("v" + name)[:NAME_MAX]
        if name.upper() in SPSS_RESERVED:
            name += "_"
        base, n = name, 2
        while name.lower() in self.taken:
            suffix = f"_{n}"
            name = base[: NAME_MAX - len(suffix)] + suffix
            n += 1
        self.taken.add(name.lower())
        return name


def ordered_questions(survey: Survey) -> list[Question]:
    """Questions in the order residents see them (retired ones too: their
    stored answers are still data)."""
    page_pos = {page.id: page.position for page in survey.pages}
    return sorted(survey.questions, key=lambda q: (page_pos.get(q.page_id, 10**6), q.position, q.id))


def spss_numbers(options) -> dict[int, float]:
    """SPSS code per option id: the options' own values when they are whole
    and distinct (Likert scores, yes=1/no=0), else 1..n in option order."""
    values = [o.value for o in options]
    if values and all(v is not None and float(v).is_integer() for v in values) and len(set(values)) == len(values):
        return {o.id: float(o.value) for o in options}
    return {o.id: float(i) for i, o in enumerate(options, start=1)}


def build_layout(
    survey: Survey, language: str | None = None, weighted: bool = False, weight_cap: float = 5.0
) -> Layout:
    """``weighted`` adds a ``weight`` column after the metadata (exports.weights
    fills it; ``weight_cap`` is only for its label)."""
    language = language or survey.default_language
    names = _Names()
    columns = [Column(names.take(name), name.replace("_", " "), "meta") for name in META_COLUMNS]
    if weighted:
        columns.append(Column(names.take("weight"), _weight_label(language, weight_cap), "number"))
    handlers: dict[int, tuple] = {}
    question_ids = []

    def text(values) -> str:
        return pick_language(values, language, survey.default_language)

    def add(question, name, label, kind, codes=None, part=None) -> int:
        columns.append(
            Column(
                names.take(name),
                _clip(label),
                kind,
                question.code,
                text(question.title),
                question.type,
                codes or [],
                question.retired_at is not None,
                part,
            )
        )
        return len(columns) - 1

    for question in ordered_questions(survey):
        qtype = get_type(question.type)
        if not qtype.takes_answer:
            continue
        question_ids.append(question.id)
        title = text(question.title)
        choices = [o for o in question.options if o.kind == "choice"]
        items = [o for o in question.options if o.kind == "item"]
        numbers = spss_numbers(choices)
        codes = [(o.code, numbers[o.id], text(o.label)) for o in choices]
        by_id = {o.id: o.code for o in choices}
        shape = qtype.export_shape
        if shape == "single":
            col = add(question, question.code, title, "code", codes)
            other = None
            if any(o.is_other for o in choices):
                other = add(question, f"{question.code}_other", f"{title} (other)", "text", part="other")
            handlers[question.id] = ("single", col, by_id, other)
        elif shape == "multi":
            cols = {
                o.id: add(
                    question,
                    f"{question.code}_{o.code}",
                    f"{title}: {text(o.label)}",
                    "flag",
                    [("0", 0.0, "not chosen"), ("1", 1.0, "chosen")],
                    o.code,
                )
                for o in choices
            }
            other = None
            if any(o.is_other for o in choices):
                other = add(question, f"{question.code}_other", f"{title} (other)", "text", part="other")
            handlers[question.id] = ("multi", cols, tuple(cols.values()), other)
        elif shape == "grid":
            cols = {
                i.id: add(question, f"{question.code}_{i.code}", f"{title}: {text(i.label)}", "code", codes, i.code)
                for i in items
            }
            handlers[question.id] = ("grid", cols, by_id)
        elif shape == "ranks":
            cols = {
                o.id: add(
                    question, f"{question.code}_{o.code}", f"{title}: {text(o.label)} (rank)", "rank", part=o.code
                )
                for o in choices
            }
            handlers[question.id] = ("ranks", cols)
        elif shape == "number":
            handlers[question.id] = ("number", add(question, question.code, title, "number"))
        elif shape == "date":
            handlers[question.id] = ("date", add(question, question.code, title, "date"))
        else:
            handlers[question.id] = ("text", add(question, question.code, title, "text"))
    return Layout(columns, handlers, question_ids, weighted)


def _weight_label(language: str, cap: float) -> str:
    """The weight variable's label, in the language of the other labels."""
    from flask_babel import force_locale, gettext

    with force_locale(language):
        return gettext(
            "Raking weight to the population figures (at most %(cap)s times the mean; 1 when a "
            "demographic answer is missing)",
            cap=format(cap, "g"),
        )


def _clip(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"
