"""The contract every question type follows."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Protocol

from flask_babel import LazyString
from flask_babel import gettext as _

# A raw answer: what ``read`` takes from a form, ``from_rows`` rebuilds and
# the API or paper entry hands in (see responses.answering.normalise_raw).
# Its shape depends on the type (a dict for choices, matrices and rankings, a
# string for the rest, None for a note) and is only trusted after
# ``validate``: a tampered form can send anything, so it stays Any.
RawAnswer = Any

# A question's JSON definition (the importer's document, the builder's
# state): JSON values of any shape, read with ``.get``.
Definition = Mapping[str, Any]

# A problem in a definition: (relative path, message).
Problem = tuple[str, str]


class OptionLike(Protocol):
    """What the question types read of an option (or matrix item): an
    ``Option`` row or an ``OptionSnapshot``."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def is_other(self) -> bool: ...
    @property
    def retired_at(self) -> datetime | None: ...


class QuestionLike(Protocol):
    """What the question types read of a question: a ``Question`` row or a
    ``QuestionSnapshot`` (whose options are a tuple and settings a
    FrozenDict, hence the read-only Sequence and Mapping)."""

    @property
    def code(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def settings(self) -> Mapping[str, Any] | None: ...
    @property
    def options(self) -> Sequence[OptionLike]: ...


class StoredAnswer(Protocol):
    """One stored answer as ``from_rows`` reads it: an ``Answer`` row, a
    plain result row of those columns, or an ``AnswerRow``."""

    @property
    def option_id(self) -> int | None: ...
    @property
    def item_id(self) -> int | None: ...
    @property
    def value_num(self) -> float | None: ...
    @property
    def value_text(self) -> str | None: ...


class FormData(Protocol):
    """A submitted form: werkzeug's (Immutable)MultiDict."""

    def get(self, key: str, /) -> str | None: ...
    def getlist(self, key: str, /) -> list[str]: ...


class SettingsForm(Protocol):
    """The builder's settings fields as ``parse_settings`` reads them: the
    raw values sent (``s-<key>``), readers that record one message per
    field, and the clean ``settings`` the type fills in."""

    @property
    def settings(self) -> dict[str, Any]: ...
    def raw(self, key: str) -> Any: ...
    def error(self, key: str, message: str) -> None: ...
    def integer(self, key: str, low: int, high: int) -> int | None: ...
    def number(self, key: str) -> float | None: ...
    def texts(self, key: str) -> None: ...


class DemoSource(Protocol):
    """What a demo hands a type's ``demo_answer``: a seeded random source
    and the demo's made-up answer patterns, looked up by question code (so
    the same seed gives the same answers)."""

    @property
    def rng(self) -> random.Random: ...
    def around(self, mean: float, spread: float, low: int, high: int) -> int: ...
    def pick(self, weights: Mapping[str, float]) -> str: ...
    def one_of(self, question: QuestionLike, codes: Sequence[str]) -> str: ...
    def several(self, question: QuestionLike, codes: Sequence[str]) -> dict[str, Any]: ...
    def other_text(self, question: QuestionLike) -> str: ...
    def mean(self, question: QuestionLike, default: float) -> float: ...
    def item_mean(self, question: QuestionLike, item: str, default: float) -> float: ...
    def priorities(self, question: QuestionLike, codes: Sequence[str]) -> dict[str, float]: ...
    def texts(self, question: QuestionLike) -> Sequence[str]: ...
    def today(self) -> date: ...


class PaperForm(Protocol):
    """What a type's ``paper`` draws with: the paper questionnaire's
    primitives (distribute.pdf), which write labels and settings texts in
    the form's language."""

    def tick_boxes(self, options: Sequence[OptionLike], instruction: str | None = None) -> None: ...
    def grid(self, scale: Sequence[OptionLike], items: Sequence[OptionLike]) -> None: ...
    def number_scale(self, low: int, high: int, ends: tuple[Any, Any]) -> None: ...
    def rank_boxes(self, options: Sequence[OptionLike], instruction: str) -> None: ...
    def number_box(self, unit: Any) -> None: ...
    def date_boxes(self) -> None: ...
    def lines(self, n: int) -> None: ...


# An option or matrix item as the builder validated it (code, label and,
# for options, value and is_other).
BuilderRow = Mapping[str, Any]


@dataclass(frozen=True)
class Operands:
    """What skip logic compares for one answer: the chosen option codes,
    the numeric value (a score for scale points), and the text."""

    answered: bool = False
    codes: frozenset[str] = frozenset()
    number: float | None = None
    text: str | None = None


NO_ANSWER = Operands()

# C0 control characters other than tab and line feed: never meaningful in an
# answer, and PostgreSQL refuses NUL in text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: object) -> str:
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
    # The results may be filtered by its answer (one option or several).
    filterable: ClassVar[bool] = False
    # A tap on an answer may move the resident on (one choice, no typing).
    one_tap: ClassVar[bool] = False
    # How a programme compares the answers of two waves: binary (the share
    # of "yes"), ordinal or numeric; None when it does not.
    change_scale: ClassVar[str | None] = None
    # How results are summarised (analytics dispatches on it): choice,
    # multi, scale, matrix, rating, ranking, number, date, text or None.
    summary_family: ClassVar[str | None] = None

    # ---- the declarative table: what other modules read of a type ----
    # The builder's name for the type.
    label: ClassVar[LazyString]
    # The export's columns (exports.layout builds them by shape): single
    # (one coded column), multi (a 0/1 flag per option), grid (a coded
    # column per matrix item), ranks (a rank column per option), number,
    # date or text.
    export_shape: ClassVar[str] = "text"
    # SPSS measure of the type's coded columns.
    spss_measure: ClassVar[str] = "nominal"
    # Answers are whole numbers (SPSS F8.0; XLSForm >= and <= translate).
    whole_numbers: ClassVar[bool] = False
    # The XLSForm type the answer is written as (questions.xlsform):
    # select_one, select_multiple, rank, group (a matrix), integer,
    # decimal, date, text or note; and its XLSForm appearance.
    xlsform_type: ClassVar[str] = "text"
    xlsform_appearance: ClassVar[str] = ""
    # The builder state's settings of a new question of this type.
    initial_settings: ClassVar[Mapping[str, str]] = {}

    # ---- definition -------------------------------------------------
    def check_definition(self, q: Definition) -> list[Problem]:
        """Type-specific problems in a question's JSON definition, as
        ``(relative path, message)`` pairs; the caller prefixes the path."""
        return []

    def default_options(self) -> list[dict[str, Any]] | None:
        """Options the importer adds when a definition gives none."""
        return None

    # ---- the builder ------------------------------------------------
    def presets(self, points: int = 5) -> list[dict[str, Any]] | None:
        """Options a new question starts with, as definitions (code,
        label per language, value); None for blank rows. ``points``: the
        size of a scale."""
        return None

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        """Read this type's settings from the builder form into
        ``form.settings`` (``n_options``: the options the question has)."""

    def builder_option_errors(
        self, options: Sequence[BuilderRow], items: Sequence[BuilderRow], settings: Mapping[str, Any]
    ) -> dict[str, str]:
        """Messages for the builder's option and item lists, by field."""
        errors: dict[str, str] = {}
        if not self.uses_options:
            return errors
        if sum(1 for o in options if o.get("is_other")) > 1:
            errors["options"] = _('Only one answer can be "other, please specify".')
        count = self.option_count_error(options, settings)
        if count:
            errors["options"] = count
        if self.uses_items and not items:
            errors["items"] = _("A matrix needs at least one row.")
        return errors

    def option_count_error(self, options: Sequence[BuilderRow], settings: Mapping[str, Any]) -> str | None:
        if len(options) < 2:
            return _("Give at least two answers.")
        return None

    # ---- the paper form ---------------------------------------------
    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        """Draw the answer space under the question's title."""

    # ---- demo data --------------------------------------------------
    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> RawAnswer:
        """A plausible raw answer (the shape ``read`` returns), or None to
        leave the question unanswered."""
        return None

    @staticmethod
    def demo_skips(question: QuestionLike, demo: DemoSource) -> bool:
        """An optional question is left out now and then."""
        return not question.required and demo.rng.random() < 0.05

    # ---- collection -------------------------------------------------
    @staticmethod
    def field_name(question: QuestionLike, suffix: str | None = None) -> str:
        return f"q-{question.code}" + (f"-{suffix}" if suffix else "")

    def read(self, question: QuestionLike, form: FormData) -> RawAnswer:
        """The raw answer from a submitted form (a MultiDict)."""
        return clean_text(form.get(self.field_name(question)))

    def normalise(self, value: Any) -> RawAnswer:
        """The raw answer for a simple value from the API or paper entry
        (the form shapes are accepted as well); numbers may be numbers."""
        return clean_text(plain_number(value))

    def is_empty(self, raw: RawAnswer) -> bool:
        return raw in (None, "", [], {})

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        """A message for the resident, or None; ``raw`` is not empty."""
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        raise NotImplementedError

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> RawAnswer:
        """Rebuild ``raw`` from stored answer rows (resume, re-display)."""
        raise NotImplementedError

    # ---- logic ------------------------------------------------------
    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        """What a condition compares for this answer (``item``: matrix row)."""
        if self.is_empty(raw):
            return NO_ANSWER
        return Operands(answered=True, text=str(raw))

    # ---- helpers ----------------------------------------------------
    @staticmethod
    def active_options(question: QuestionLike, kind: str = "choice") -> list[OptionLike]:
        return [o for o in question.options if o.kind == kind and o.retired_at is None]

    @staticmethod
    def required_message() -> str:
        return _("Please answer this question.")


def plain_number(value: Any) -> Any:
    """A whole number (or a boolean) from JSON as the text a form sends."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def normalise_by_code(value: Any) -> dict[str, str]:
    """{code: value} answers (a matrix's items, a ranking's options) from
    the API or paper entry."""
    if not isinstance(value, dict):
        return {"": clean_text(value)} if value not in (None, "", {}) else {}
    return {str(k): clean_text(plain_number(v)) for k, v in value.items()}


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
