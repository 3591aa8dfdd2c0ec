"""Number, date, short text, long text and the text-only note block."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .base import (
    NO_ANSWER,
    AnswerRow,
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
    clean_text,
    parse_number,
)

EPOCH = date(1970, 1, 1)
PATTERNS = {
    # Indonesian mobile and landline numbers, with +62, 62 or 0 in front.
    "phone": re.compile(r"^(\+?62|0)[0-9][0-9 \-]{6,14}$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    # Indonesian postcodes have five digits.
    "postcode": re.compile(r"^[0-9]{5}$"),
}


class NumberQuestion(QuestionType):
    name = "number"
    label = _l("Number")
    summary_family = "number"
    export_shape = "number"
    xlsform_type = "decimal"  # integer with the integer setting
    change_scale = "numeric"
    numeric = True

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        if form.raw("integer"):
            form.settings["integer"] = True
        low, high = form.number("min"), form.number("max")
        if low is not None and high is not None and low > high:
            form.error("min", _("The minimum is larger than the maximum."))
        for key, value in (("min", low), ("max", high)):
            if value is not None:
                form.settings[key] = value
        form.texts("unit")

    def check_definition(self, q: Definition) -> list[Problem]:
        settings = q.get("settings") or {}
        low, high = settings.get("min"), settings.get("max")
        if low is not None and high is not None and low > high:
            return [("settings.min", _("The minimum is larger than the maximum."))]
        return []

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        settings = question.settings or {}
        value = parse_number(raw, integer=bool(settings.get("integer")))
        if value is None:
            return _("Enter a whole number.") if settings.get("integer") else _("Enter a number.")
        low, high = settings.get("min"), settings.get("max")
        if low is not None and value < low or high is not None and value > high:
            if low is not None and high is not None:
                return _("Enter a number from %(low)s to %(high)s.", low=format(low, "g"), high=format(high, "g"))
            if low is not None:
                return _("Enter a number of at least %(low)s.", low=format(low, "g"))
            return _("Enter a number of at most %(high)s.", high=format(high, "g"))
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        return [AnswerRow(value_num=parse_number(raw))]

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.number_box((question.settings or {}).get("unit"))

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> str | None:
        if self.demo_skips(question, demo):
            return None
        settings = question.settings or {}
        return str(demo.rng.randint(int(settings.get("min") or 0), int(settings.get("max") or 10)))

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> str:
        return next((f"{r.value_num:g}" for r in rows if r.value_num is not None), "")

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw):
            return NO_ANSWER
        return Operands(answered=True, number=parse_number(raw))


class DateQuestion(QuestionType):
    """Stored as ISO text plus days since 1970 so SQL can take quantiles."""

    name = "date"
    label = _l("Date")
    summary_family = "date"
    export_shape = "date"
    xlsform_type = "date"

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        parsed = {}
        for key in ("min", "max"):
            value = form.raw(key) or ""
            if value:
                try:
                    parsed[key] = date.fromisoformat(value)
                    form.settings[key] = parsed[key].isoformat()
                except ValueError:
                    form.error(key, _("Use a date like 2026-08-17."))
        if len(parsed) == 2 and parsed["min"] > parsed["max"]:
            form.error("min", _("The earliest date is after the latest date."))

    def check_definition(self, q: Definition) -> list[Problem]:
        settings = q.get("settings") or {}
        problems = []
        parsed = {}
        for key in ("min", "max"):
            if settings.get(key) is not None:
                try:
                    parsed[key] = date.fromisoformat(settings[key])
                except (TypeError, ValueError):
                    problems.append((f"settings.{key}", _("Use a date like 2026-08-17.")))
        if len(parsed) == 2 and parsed["min"] > parsed["max"]:
            problems.append(("settings.min", _("The earliest date is after the latest date.")))
        return problems

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            return _("Enter a date like 2026-08-17.")
        settings = question.settings or {}
        if settings.get("min") and value < date.fromisoformat(settings["min"]):
            return _("Enter a date on or after %(date)s.", date=settings["min"])
        if settings.get("max") and value > date.fromisoformat(settings["max"]):
            return _("Enter a date on or before %(date)s.", date=settings["max"])
        return None

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.date_boxes()

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> str | None:
        if self.demo_skips(question, demo):
            return None
        return (demo.today() - timedelta(days=demo.rng.randint(1, 300))).isoformat()

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        value = date.fromisoformat(raw)
        return [AnswerRow(value_text=value.isoformat(), value_num=(value - EPOCH).days)]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> str:
        return next((r.value_text for r in rows if r.value_text), "")


class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short text")
    summary_family = "text"
    default_max = 200
    hard_max = 500
    has_pattern = True  # may be checked against one of PATTERNS
    demo_share = 0.12  # of demo respondents who write something
    paper_lines = 1  # to write on, on the paper form

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        if self.has_pattern:
            pattern = form.raw("pattern") or ""
            if pattern and pattern not in PATTERNS:
                form.error("pattern", _("Choose one of the listed formats."))
            elif pattern:
                form.settings["pattern"] = pattern
        limit = form.integer("max_length", 1, self.hard_max)
        if limit is not None:
            form.settings["max_length"] = limit

    def check_definition(self, q: Definition) -> list[Problem]:
        settings = q.get("settings") or {}
        problems = []
        if settings.get("pattern") not in (None, *PATTERNS):
            problems.append(("settings.pattern", _("Unknown pattern; use phone, email or postcode.")))
        limit = settings.get("max_length")
        if limit is not None and not 1 <= limit <= self.hard_max:
            problems.append(("settings.max_length", _("The length limit must be from 1 to %(n)d.", n=self.hard_max)))
        return problems

    def max_length(self, question: QuestionLike) -> int:
        return (question.settings or {}).get("max_length") or self.default_max

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        if len(raw) > self.max_length(question):
            return _("Please keep this answer under %(n)d characters.", n=self.max_length(question))
        pattern = (question.settings or {}).get("pattern")
        if pattern and not PATTERNS[pattern].match(raw):
            return {
                "phone": _("Enter a phone number like 0812 3456 7890."),
                "email": _("Enter an e-mail address like name@example.org."),
                "postcode": _("Enter a five-digit postcode."),
            }[pattern]
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        return [AnswerRow(value_text=raw)]

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.lines(self.paper_lines)

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> str | None:
        # Free text is left out more often than anything else (never by
        # the optional-question skip: its own share decides).
        texts = demo.texts(question)
        if not texts or demo.rng.random() > self.demo_share:
            return None
        return demo.rng.choice(texts)

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> str:
        return next((r.value_text for r in rows if r.value_text), "")


class LongText(ShortText):
    name = "long_text"
    label = _l("Long text")
    default_max = 5000
    hard_max = 10000
    has_pattern = False
    xlsform_appearance = "multiline"
    demo_share = 0.4
    paper_lines = 4

    def read(self, question: QuestionLike, form: FormData) -> str:
        # Keeps line breaks (normalising Windows ones).
        return clean_text(form.get(self.field_name(question)))


class Note(QuestionType):
    """Text shown to the resident; never answered."""

    name = "note"
    label = _l("Note (text only, no answer)")
    takes_answer = False
    xlsform_type = "note"

    def read(self, question: QuestionLike, form: FormData) -> None:
        return None

    def normalise(self, value: Any) -> None:
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        return []

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> None:
        return None
