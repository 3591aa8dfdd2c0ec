"""Single choice, multiple choice and yes/no."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

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
    OptionLike,
    PaperForm,
    Problem,
    QuestionLike,
    QuestionType,
    RawAnswer,
    SettingsForm,
    StoredAnswer,
    clean_text,
)

OTHER_MAX = 500


class ChoiceRaw(TypedDict):
    """A single choice as read from a form: the option code and the
    "other, please specify" text."""

    choice: str
    other: str


class MultiChoiceRaw(TypedDict):
    """A multiple choice as read from a form."""

    choices: list[str]
    other: str


def _option_problems(name: str, min_options: int, q: Definition) -> list[Problem]:
    """The option checks single and multiple choice share."""
    problems: list[Problem] = []
    options = q.get("options") or []
    if len(options) < min_options:
        problems.append(("options", _("A %(type)s question needs at least %(n)d options.", type=name, n=min_options)))
    if sum(1 for o in options if o.get("is_other")) > 1:
        problems.append(("options", _('Only one option can be "other, please specify".')))
    return problems


class SingleChoice(QuestionType):
    """One option; radio buttons or a dropdown; optional "other, specify"."""

    name = "single_choice"
    label = _l("Single choice")
    summary_family = "choice"
    export_shape = "single"
    filterable = True
    one_tap = True
    xlsform_type = "select_one"
    uses_options = True
    allows_other = True
    min_options = 2

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        display = form.raw("display")
        if display == "dropdown":
            form.settings["display"] = "dropdown"
        elif display not in ("", None, "radio"):
            form.error("display", _("Choose radio buttons or a dropdown list."))

    def check_definition(self, q: Definition) -> list[Problem]:
        return _option_problems(self.name, self.min_options, q)

    def read(self, question: QuestionLike, form: FormData) -> ChoiceRaw:
        return {
            "choice": clean_text(form.get(self.field_name(question))),
            "other": clean_text(form.get(self.field_name(question, "other"))),
        }

    def normalise(self, value: Any) -> ChoiceRaw:
        """ "yes" or {"choice": "yes", "other": ...}."""
        if isinstance(value, dict):
            return {"choice": clean_text(value.get("choice")), "other": clean_text(value.get("other"))}
        return {"choice": clean_text(value), "other": ""}

    def is_empty(self, raw: RawAnswer) -> bool:
        return not raw or not raw.get("choice")

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.tick_boxes(self.active_options(question))

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> ChoiceRaw | None:
        if self.demo_skips(question, demo):
            return None
        choices = self.active_options(question)
        choice = demo.one_of(question, [o.code for o in choices])
        other = any(o.code == choice and o.is_other for o in choices)
        return {"choice": choice, "other": demo.other_text(question) if other else ""}

    def _option(self, question: QuestionLike, code: str) -> OptionLike | None:
        return next((o for o in self.active_options(question) if o.code == code), None)

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        option = self._option(question, raw["choice"])
        if option is None:
            return _("Choose one of the listed answers.")
        if option.is_other and not raw.get("other"):
            return _('Please say what "other" means for you.')
        if len(raw.get("other") or "") > OTHER_MAX:
            return _("Please keep this answer under %(n)d characters.", n=OTHER_MAX)
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        option = self._option(question, raw["choice"])
        assert option is not None, "to_rows is only given answers that passed validate"
        return [
            AnswerRow(
                option_id=option.id, value_num=option.value, value_text=raw.get("other") if option.is_other else None
            )
        ]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> ChoiceRaw:
        codes: dict[int | None, str] = {o.id: o.code for o in question.options}
        for row in rows:
            return {"choice": codes.get(row.option_id, ""), "other": row.value_text or ""}
        return {"choice": "", "other": ""}

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw):
            return NO_ANSWER
        option = self._option(question, raw["choice"])
        return Operands(
            answered=True, codes=frozenset([raw["choice"]]), number=option.value if option is not None else None
        )


class YesNo(SingleChoice):
    name = "yes_no"
    label = _l("Yes / no")
    allows_other = False
    change_scale = "binary"

    def default_options(self) -> list[dict[str, Any]]:
        return [
            {"code": "yes", "label": {"id": "Ya", "en": "Yes"}, "value": 1},
            {"code": "no", "label": {"id": "Tidak", "en": "No"}, "value": 0},
        ]

    def presets(self, points: int = 5) -> list[dict[str, Any]]:
        return self.default_options()

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        pass  # no settings

    def builder_option_errors(
        self, options: Sequence[BuilderRow], items: Sequence[BuilderRow], settings: Mapping[str, Any]
    ) -> dict[str, str]:
        if sorted(o["code"] for o in options) != ["no", "yes"]:
            return {"options": _('A yes/no question has exactly the answers "yes" and "no".')}
        return {}

    def check_definition(self, q: Definition) -> list[Problem]:
        codes = sorted(o.get("code") for o in q.get("options") or [])
        if codes and codes != ["no", "yes"]:
            return [("options", _('A yes/no question has exactly the options "yes" and "no".'))]
        return []


class MultipleChoice(QuestionType):
    """Several options, with optional minimum and maximum selections."""

    name = "multiple_choice"
    label = _l("Multiple choice")
    summary_family = "multi"
    export_shape = "multi"
    filterable = True
    xlsform_type = "select_multiple"
    uses_options = True
    allows_other = True

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        low = form.integer("min_selected", 0, n_options)
        high = form.integer("max_selected", 0, n_options)
        if low is not None and high is not None and low > high:
            form.error("min_selected", _("The minimum number of choices is larger than the maximum."))
        if low is not None:
            form.settings["min_selected"] = low
        if high is not None:
            form.settings["max_selected"] = high

    def check_definition(self, q: Definition) -> list[Problem]:
        problems = _option_problems(self.name, self.min_options, q)
        settings = q.get("settings") or {}
        low, high = settings.get("min_selected"), settings.get("max_selected")
        n = len(q.get("options") or [])
        if low is not None and high is not None and low > high:
            problems.append(("settings.min_selected", _("The minimum number of choices is larger than the maximum.")))
        if high is not None and high > n:
            problems.append(
                ("settings.max_selected", _("The maximum number of choices is larger than the number of options."))
            )
        return problems

    min_options = 2

    def read(self, question: QuestionLike, form: FormData) -> MultiChoiceRaw:
        return {
            "choices": [clean_text(c) for c in form.getlist(self.field_name(question)) if clean_text(c)],
            "other": clean_text(form.get(self.field_name(question, "other"))),
        }

    def normalise(self, value: Any) -> MultiChoiceRaw:
        """["a", "b"], "a" or {"choices": [...], "other": ...}."""
        other = ""
        if isinstance(value, dict):
            value, other = value.get("choices"), value.get("other")
        values = value if isinstance(value, (list, tuple)) else ([] if value in (None, "") else [value])
        return {"choices": [clean_text(v) for v in values if clean_text(v)], "other": clean_text(other)}

    def is_empty(self, raw: RawAnswer) -> bool:
        return not raw or not raw.get("choices")

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        choices = self.active_options(question)
        high = (question.settings or {}).get("max_selected")
        form.tick_boxes(
            choices,
            _("Tick all that apply.") if not high or high >= len(choices) else _("Tick up to %(n)d.", n=high),
        )

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> dict[str, Any] | None:
        if self.demo_skips(question, demo):
            return None
        return demo.several(question, [o.code for o in self.active_options(question)])

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        options = {o.code: o for o in self.active_options(question)}
        chosen = raw["choices"]
        if len(set(chosen)) != len(chosen) or any(code not in options for code in chosen):
            return _("Choose only from the listed answers.")
        settings = question.settings or {}
        low, high = settings.get("min_selected"), settings.get("max_selected")
        if low and len(chosen) < low:
            return _("Choose at least %(n)d answers.", n=low)
        if high and len(chosen) > high:
            return _("Choose at most %(n)d answers.", n=high)
        if any(options[c].is_other for c in chosen) and not raw.get("other"):
            return _('Please say what "other" means for you.')
        if len(raw.get("other") or "") > OTHER_MAX:
            return _("Please keep this answer under %(n)d characters.", n=OTHER_MAX)
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        options = {o.code: o for o in self.active_options(question)}
        return [
            AnswerRow(
                option_id=options[c].id, value_num=1, value_text=raw.get("other") if options[c].is_other else None
            )
            for c in raw["choices"]
        ]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> MultiChoiceRaw:
        codes = {o.id: o.code for o in question.options}
        other = next((r.value_text for r in rows if r.value_text), "")
        return {"choices": [codes[r.option_id] for r in rows if r.option_id in codes], "other": other or ""}

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw):
            return NO_ANSWER
        return Operands(answered=True, codes=frozenset(raw["choices"]))
