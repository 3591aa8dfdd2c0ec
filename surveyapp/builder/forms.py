"""Builder forms: read submitted organiser forms into plain data for the
survey services, with one message per field name.

The question editor's fields depend on the question type and the number of
options, so it is parsed from ``request.form`` here (small functions, tested
on their own) rather than with WTForms field lists. Each parser returns a
*state* (the raw strings, to re-show the form exactly as sent) and, once
validated, clean data plus ``errors`` keyed by the HTML field name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..languages import native_name
from ..questions import QUESTION_TYPES, get_type
from ..questions.base import parse_number
from ..questions.scales import agreement_scale
from ..surveys import definition, logic
from ..surveys.models import Question, Survey, SurveyKind

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
OPTION_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
ROLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TITLE_MAX, TEXT_MAX = 300, 2000
MAX_LANGUAGES = 10
MAX_ROWS = 200
LOGIC_JSON_MAX = 20_000

KIND_LABELS = {
    SurveyKind.NEEDS_ASSESSMENT.value: _l("Needs assessment"),
    SurveyKind.SATISFACTION.value: _l("Satisfaction"),
    SurveyKind.TRUST.value: _l("Trust"),
    SurveyKind.COMMUNITY_RELATIONS.value: _l("Community relations"),
    SurveyKind.QUICK_POLL.value: _l("Quick poll"),
    SurveyKind.CUSTOM.value: _l("Other"),
}
TYPE_LABELS = {name: qtype.label for name, qtype in QUESTION_TYPES.items()}
ROLE_KINDS = {
    "": _l("None"),
    "satisfaction": _l("Satisfaction (top-two-box of a 5-point item)"),
    "recommend": _l("Recommend (0 to 10)"),
    "relations": _l("Community relations"),
    "feedback": _l("Feedback (free text)"),
    "trust": _l("Trust in an institution"),
    "demographic": _l("Demographic dimension"),
    "outcome": _l("Outcome indicator"),
}
NAMED_ROLES = ("trust", "demographic", "outcome")
OP_LABELS = {
    "equals": _l("equals"),
    "not_equals": _l("does not equal"),
    "any_of": _l("is any of"),
    "gt": _l("is greater than"),
    "lt": _l("is less than"),
    "answered": _l("is answered"),
    "not_answered": _l("is not answered"),
}


# ---- small readers ------------------------------------------------------


def read_texts(form, base: str, languages: list[str]) -> dict[str, str]:
    return {lang: (form.get(f"{base}-{lang}") or "").strip() for lang in languages}


def check_texts(
    texts: dict[str, str],
    base: str,
    errors: dict,
    *,
    required_lang: str | None = None,
    max_len: int = TEXT_MAX,
    what=None,
) -> None:
    for lang, text in texts.items():
        if len(text) > max_len:
            errors[f"{base}-{lang}"] = _("Keep this text under %(n)d characters.", n=max_len)
    if required_lang and not texts.get(required_lang) and f"{base}-{required_lang}" not in errors:
        errors[f"{base}-{required_lang}"] = what or _(
            "Enter a text in %(language)s.", language=native_name(required_lang)
        )


def _int(raw: str, name: str, errors: dict, *, low: int | None = None, high: int | None = None) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = _("Enter a whole number.")
        return None
    if low is not None and value < low or high is not None and value > high:
        errors[name] = _(
            "Enter a whole number from %(low)d to %(high)d.",
            low=low if low is not None else 0,
            high=high if high is not None else value,
        )
        return None
    return value


def _number(raw: str, name: str, errors: dict) -> float | int | None:
    if not raw:
        return None
    value = parse_number(raw)
    if value is None:
        errors[name] = _("Enter a number, like 3 or 2.5.")
        return None
    return int(value) if value.is_integer() else value


def _texts_or_none(texts: dict[str, str]) -> dict | None:
    kept = {k: v for k, v in texts.items() if v}
    return kept or None


# ---- survey-level forms ------------------------------------------------------


def parse_languages(form, errors: dict) -> list[str]:
    """Ticked languages plus codes typed into "add languages"."""
    chosen = [code for code in form.getlist("languages") if code]
    typed = re.split(r"[\s,;]+", (form.get("new_languages") or "").strip().lower())
    for code in typed:
        if not code:
            continue
        if not LANG_RE.match(code):
            errors["new_languages"] = _(
                '"%(code)s" is not a language code: use two or three small letters, like jv or su.', code=code[:20]
            )
        elif code not in chosen:
            chosen.append(code)
    if any(not LANG_RE.match(code) for code in chosen):
        errors["languages"] = _("Choose languages from the list.")
    chosen = list(dict.fromkeys(chosen))
    if not chosen and "new_languages" not in errors:
        errors["languages"] = _("Choose at least one language.")
    if len(chosen) > MAX_LANGUAGES:
        errors["languages"] = _("A survey can offer at most %(n)d languages.", n=MAX_LANGUAGES)
    return chosen


def parse_new_survey(form) -> tuple[dict, dict]:
    """The "blank survey" form: title, kind, languages, default language."""
    errors: dict[str, str] = {}
    state = {
        "title": (form.get("title") or "").strip(),
        "kind": form.get("kind") or SurveyKind.CUSTOM.value,
        "languages": parse_languages(form, errors),
        "default_language": form.get("default_language") or "",
        "new_languages": form.get("new_languages") or "",
    }
    if not state["title"]:
        errors["title"] = _("Enter a title for the survey.")
    elif len(state["title"]) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(n)d characters.", n=TITLE_MAX)
    if state["kind"] not in KIND_LABELS:
        errors["kind"] = _("Choose one of the listed kinds.")
    if "languages" not in errors and state["default_language"] not in state["languages"]:
        errors["default_language"] = _("The default language must be one of the survey's languages.")
    return state, errors


def details_state(survey: Survey) -> dict:
    state = {field: dict(getattr(survey, field) or {}) for field in definition.TEXT_FIELDS}
    state.update(
        kind=survey.kind,
        languages=list(survey.languages),
        default_language=survey.default_language,
        anonymous=survey.anonymous,
        new_languages="",
    )
    return state


def parse_details(form, survey: Survey) -> tuple[dict, dict]:
    """Survey details: texts per language (for the languages that had an
    input), kind, languages, default language and anonymity."""
    errors: dict[str, str] = {}
    languages = parse_languages(form, errors)
    default = form.get("default_language") or ""
    shown = [lang for lang in languages if lang in survey.languages]
    state = {
        "kind": form.get("kind") or "",
        "languages": languages,
        "default_language": default,
        "anonymous": bool(form.get("anonymous")),
        "new_languages": form.get("new_languages") or "",
    }
    for field_name in definition.TEXT_FIELDS:
        state[field_name] = read_texts(form, field_name, shown)
    if state["kind"] not in KIND_LABELS:
        errors["kind"] = _("Choose one of the listed kinds.")
    if "languages" not in errors and default not in languages:
        errors["default_language"] = _("The default language must be one of the survey's languages.")
    check_texts(
        state["title"],
        "title",
        errors,
        max_len=TITLE_MAX,
        required_lang=default if default in shown else None,
        what=_("Enter a title for the survey."),
    )
    if default in languages and default not in shown:
        errors["default_language"] = _(
            "Add the language first and give the survey a title in it; then make it the default."
        )
    for field_name in ("description", "welcome_text", "thankyou_text"):
        check_texts(state[field_name], field_name, errors)
    return state, errors


def parse_page_title(form, survey: Survey) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    title = read_texts(form, "title", survey.languages)
    check_texts(title, "title", errors, max_len=TITLE_MAX)
    return title, errors


# ---- the question editor ---------------------------------------------------------


@dataclass
class QuestionInput:
    """A validated question, ready for services.add_question/save_question."""

    code: str
    type_name: str
    required: bool
    title: dict
    help_text: dict
    metric_role: str | None
    settings: dict
    options: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)


def _blank_row(languages) -> dict:
    return {"code": "", "label": {lang: "" for lang in languages}, "value": "", "is_other": False, "remove": False}


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def preset_options(type_name: str, languages: list[str], points: int = 5) -> list[dict]:
    """Rows a new question of this type starts with."""
    qtype = get_type(type_name)
    presets = qtype.presets(points)
    if presets is not None:
        return _preset_rows(presets, languages)
    if qtype.uses_options:
        return [_blank_row(languages) for _ in range(3)]
    return []


def _preset_rows(presets: list[dict], languages: list[str]) -> list[dict]:
    return [
        {
            "code": r["code"],
            "label": {lang: r["label"].get(lang, "") for lang in languages},
            "value": _fmt(r["value"]),
            "is_other": False,
            "remove": False,
        }
        for r in presets
    ]


def new_question_state(type_name: str, code: str, languages: list[str]) -> dict:
    return {
        "code": code,
        "type": type_name,
        "required": False,
        "title": {lang: "" for lang in languages},
        "help_text": {lang: "" for lang in languages},
        "role_kind": "",
        "role_name": "",
        "settings": dict(get_type(type_name).initial_settings),
        "options": preset_options(type_name, languages),
        "items": [_blank_row(languages) for _ in range(3)] if get_type(type_name).uses_items else [],
    }


def question_state(question: Question, languages: list[str]) -> dict:
    """The editor's state for a stored question (active options only)."""
    role = question.metric_role or ""
    role_kind, _sep, role_name = role.partition(":")
    settings = {}
    for key, value in (question.settings or {}).items():
        if key in ("low_label", "high_label", "unit") and isinstance(value, str):
            value = {question.survey.default_language: value}  # a plain string means the default language
        if isinstance(value, dict):
            settings[key] = {lang: value.get(lang, "") for lang in languages}
        elif isinstance(value, bool):
            settings[key] = value
        else:
            settings[key] = _fmt(value)

    def rows(kind):
        return [
            {
                "code": o.code,
                "label": {lang: (o.label or {}).get(lang, "") for lang in languages},
                "value": _fmt(o.value),
                "is_other": o.is_other,
                "remove": False,
            }
            for o in question.options
            if o.kind == kind and o.retired_at is None
        ]

    return {
        "code": question.code,
        "type": question.type,
        "required": question.required,
        "title": {lang: (question.title or {}).get(lang, "") for lang in languages},
        "help_text": {lang: (question.help_text or {}).get(lang, "") for lang in languages},
        "role_kind": role_kind,
        "role_name": role_name,
        "settings": settings,
        "options": rows("choice"),
        "items": rows("item"),
    }


def _read_rows(form, prefix: str, languages: list[str]) -> list[dict]:
    """Rows named ``<prefix>-<n>-...`` in the order of n."""
    numbers = set()
    for key in form.keys():
        match = re.match(rf"^{prefix}-(\d{{1,3}})-", key)
        if match:
            numbers.add(int(match.group(1)))
    rows = []
    for n in sorted(numbers)[:MAX_ROWS]:
        base = f"{prefix}-{n}"
        rows.append(
            {
                "code": (form.get(f"{base}-code") or "").strip(),
                "label": read_texts(form, f"{base}-label", languages),
                "value": (form.get(f"{base}-value") or "").strip(),
                "is_other": bool(form.get(f"{base}-other")),
                "remove": bool(form.get(f"{base}-remove")),
            }
        )
    return rows


def question_state_from_form(form, languages: list[str]) -> dict:
    type_name = form.get("type") or ""
    settings = {
        key: (form.get(f"s-{key}") or "").strip()
        for key in (
            "display",
            "min_selected",
            "max_selected",
            "points",
            "rank_count",
            "min",
            "max",
            "pattern",
            "max_length",
        )
    }
    settings["integer"] = bool(form.get("s-integer"))
    for key in ("low_label", "high_label", "unit"):
        settings[key] = read_texts(form, f"s-{key}", languages)
    return {
        "code": (form.get("code") or "").strip(),
        "type": type_name,
        "required": bool(form.get("required")),
        "title": read_texts(form, "title", languages),
        "help_text": read_texts(form, "help_text", languages),
        "role_kind": form.get("role_kind") or "",
        "role_name": (form.get("role_name") or "").strip(),
        "settings": settings,
        "options": _read_rows(form, "option", languages),
        "items": _read_rows(form, "item", languages),
    }


def apply_row_action(state: dict, action: str, languages: list[str]) -> bool:
    """Move a row up/down or add empty rows (no JavaScript needed).
    Returns True when ``action`` was one of these."""
    match = re.match(r"^(option|item)-(up|down)-(\d{1,3})$", action or "")
    if match:
        rows = state["options" if match.group(1) == "option" else "items"]
        index = int(match.group(3))
        target = index - 1 if match.group(2) == "up" else index + 1
        if 0 <= index < len(rows) and 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
        return True
    if action in ("more-options", "more-items"):
        rows = state["options" if action == "more-options" else "items"]
        if len(rows) < MAX_ROWS:
            rows.extend(_blank_row(languages) for _ in range(3))
        return True
    if action == "refresh":
        qtype = QUESTION_TYPES.get(state["type"])
        points = 7 if state["settings"].get("points") == "7" else 5
        untouched = not any(r["code"] or any(r["label"].values()) for r in state["options"])
        # A preset scale left as it was follows a change of the number of points.
        preset = _same_rows(state["options"], _preset_rows(agreement_scale(12 - points), languages))
        if qtype is not None and qtype.uses_options and (untouched or preset):
            state["options"] = preset_options(state["type"], languages, points)
        if qtype is not None and qtype.uses_items and not state["items"]:
            state["items"] = [_blank_row(languages) for _ in range(3)]
        return True
    return False


def _same_rows(rows: list[dict], preset: list[dict]) -> bool:
    def key(row):
        return row["code"], row["value"], tuple(sorted((k, v) for k, v in row["label"].items() if v))

    return bool(rows) and [key(r) for r in rows if not r.get("remove")] == [key(r) for r in preset]


def _clean_rows(
    rows: list[dict],
    prefix: str,
    errors: dict,
    default: str,
    *,
    with_values: bool,
    allows_other: bool,
    fixed_codes: dict[str, str] | None = None,
) -> list[dict]:
    """Validated option (or item) entries; row numbers in field names are
    the row's place in the form, so messages land next to the right row."""
    fixed_codes = fixed_codes or {}
    taken = {r["code"] for r in rows if r["code"]}
    entries, seen = [], set()
    next_auto = 1
    for index, row in enumerate(rows):
        base = f"{prefix}-{index}"
        if row["remove"] or (not row["code"] and not any(row["label"].values())):
            continue
        code = row["code"]
        if not code:
            while str(next_auto) in taken:
                next_auto += 1
            code = str(next_auto)
            taken.add(code)
            row["code"] = code
        if not OPTION_CODE_RE.match(code):
            errors[f"{base}-code"] = _("Use letters, digits, dots, dashes or underscores (up to 64), no spaces.")
        elif code in seen:
            errors[f"{base}-code"] = _('The code "%(code)s" is used twice.', code=code)
        seen.add(code)
        check_texts(
            row["label"],
            f"{base}-label",
            errors,
            required_lang=default,
            what=_("Every answer needs a label in %(language)s.", language=native_name(default)),
        )
        entry = {"code": code, "label": {k: v for k, v in row["label"].items() if v}}
        if with_values:
            value = _number(row["value"], f"{base}-value", errors)
            entry["value"] = value
            entry["is_other"] = bool(row["is_other"]) and allows_other
        entries.append(entry)
    return entries


def validate_question(
    state: dict, survey: Survey, question: Question | None = None
) -> tuple[QuestionInput | None, dict]:
    """Check a question state against the rules of docs/survey-format.md.
    Returns (input, {}) or (None, errors by field name)."""
    errors: dict[str, str] = {}
    languages, default = list(survey.languages), survey.default_language
    type_name = state["type"]
    if type_name not in QUESTION_TYPES:
        errors["type"] = _("Choose one of the listed question types.")
        return None, errors
    qtype = get_type(type_name)

    code = state["code"]
    others = {q.code for q in survey.questions if question is None or q.id != question.id}
    if not CODE_RE.match(code):
        errors["code"] = _("Start with a letter; then letters, digits or underscores (up to 64), no spaces.")
    elif code in others:
        errors["code"] = _('The code "%(code)s" is used by another question.', code=code)

    check_texts(
        state["title"],
        "title",
        errors,
        required_lang=default,
        max_len=TITLE_MAX,
        what=_("Enter the question in %(language)s.", language=native_name(default)),
    )
    check_texts(state["help_text"], "help_text", errors)

    role = None
    if state["role_kind"] not in ROLE_KINDS:
        errors["role_kind"] = _("Choose one of the listed roles.")
    elif state["role_kind"] in NAMED_ROLES:
        if not ROLE_NAME_RE.match(state["role_name"]):
            errors["role_name"] = _(
                "Name it with small letters, digits or underscores, starting with a letter (e.g. local_government)."
            )
        else:
            role = f"{state['role_kind']}:{state['role_name']}"
    elif state["role_kind"]:
        role = state["role_kind"]

    options, items = [], []
    if qtype.uses_options:
        options = _clean_rows(
            state["options"], "option", errors, default, with_values=True, allows_other=qtype.allows_other
        )
    if qtype.uses_items:
        items = _clean_rows(state["items"], "item", errors, default, with_values=False, allows_other=False)
    settings = _settings(qtype, state["settings"], len(options), errors, languages)
    errors.update(qtype.builder_option_errors(options, items, settings))

    if errors:
        return None, errors
    return QuestionInput(
        code=code,
        type_name=type_name,
        required=bool(state["required"]) and qtype.takes_answer,
        title={k: v for k, v in state["title"].items() if v},
        help_text={k: v for k, v in state["help_text"].items() if v},
        metric_role=role,
        settings=settings,
        options=options,
        items=items,
    ), {}


class _SettingsForm:
    """The settings fields of the question editor as the types'
    ``parse_settings`` reads them (questions.base.SettingsForm); a
    message goes under the field's name, ``s-<key>``."""

    def __init__(self, raw: dict, errors: dict, languages: list[str]):
        self._raw, self._errors, self._languages = raw, errors, languages
        self.settings: dict = {}

    def raw(self, key: str):
        return self._raw.get(key)

    def error(self, key: str, message: str) -> None:
        self._errors[f"s-{key}"] = message

    def integer(self, key: str, low: int, high: int) -> int | None:
        return _int(self._raw.get(key) or "", f"s-{key}", self._errors, low=low, high=high)

    def number(self, key: str) -> float | int | None:
        return _number(self._raw.get(key) or "", f"s-{key}", self._errors)

    def texts(self, key: str) -> None:
        texts = self._raw.get(key) or {}
        if isinstance(texts, dict):
            check_texts({k: v for k, v in texts.items()}, f"s-{key}", self._errors, max_len=TEXT_MAX)
            kept = _texts_or_none({k: v for k, v in texts.items() if k in self._languages})
            if kept:
                self.settings[key] = kept


def _settings(qtype, raw: dict, n_options: int, errors: dict, languages: list[str]) -> dict:
    form = _SettingsForm(raw, errors, languages)
    qtype.parse_settings(form, n_options)
    return form.settings


# ---- skip logic ---------------------------------------------------------------


def logic_state(condition: dict | None) -> dict:
    """Rows for a flat condition; a nested one is edited as JSON only."""
    state = {
        "match": "all",
        "clauses": [],
        "json": json.dumps(condition, ensure_ascii=False, indent=2) if condition else "",
        "nested": False,
    }
    if not condition:
        return state
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        children = condition[key]
        if any("all" in c or "any" in c for c in children):
            state["nested"] = True
            return state
        state["match"] = key
    else:
        children = [condition]
    for clause in children:
        value = clause.get("value")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        state["clauses"].append(
            {
                "question": clause.get("question", ""),
                "item": clause.get("item") or "",
                "op": clause.get("op", "equals"),
                "value": _fmt(value),
            }
        )
    return state


def logic_state_from_form(form) -> dict:
    numbers = sorted({int(m.group(1)) for key in form.keys() if (m := re.match(r"^clause-(\d{1,2})-", key))})
    clauses = [
        {
            "question": (form.get(f"clause-{n}-question") or "").strip(),
            "item": (form.get(f"clause-{n}-item") or "").strip(),
            "op": form.get(f"clause-{n}-op") or "",
            "value": (form.get(f"clause-{n}-value") or "").strip(),
        }
        for n in numbers[:20]
    ]
    return {
        "match": form.get("match") or "all",
        "clauses": clauses,
        "json": form.get("advanced") or "",
        "nested": False,
    }


def condition_from_rows(state: dict, earlier: dict[str, Question]) -> tuple[dict | None, dict]:
    """A condition from the clause rows; ``earlier`` maps the codes the
    condition may use to their questions (to read values by type)."""
    errors: dict[str, str] = {}
    if state["match"] not in ("all", "any"):
        errors["match"] = _('Choose "all" or "any".')
    clauses = []
    for n, row in enumerate(state["clauses"]):
        if not row["question"]:
            continue
        base = f"clause-{n}"
        op = row["op"]
        if op not in logic.OPS:
            errors[f"{base}-op"] = _("Choose one of the listed comparisons.")
            continue
        if not CODE_RE.match(row["question"]):
            errors[f"{base}-question"] = _("Choose one of the listed questions.")
            continue
        clause = {"question": row["question"], "op": op}
        target = earlier.get(row["question"])
        if target is not None and get_type(target.type).uses_items:
            if not OPTION_CODE_RE.match(row["item"]):
                errors[f"{base}-item"] = _("Choose a row of the matrix.")
                continue
            clause["item"] = row["item"]
        elif target is None and row["item"]:
            clause["item"] = row["item"]
        if op in ("gt", "lt"):
            value = parse_number(row["value"]) if row["value"] else None
            if value is None:
                errors[f"{base}-value"] = _("Give a number to compare with.")
                continue
            clause["value"] = int(value) if value.is_integer() else value
        elif op == "any_of":
            values = [v for v in re.split(r"[\s,;]+", row["value"]) if v]
            if any(not OPTION_CODE_RE.match(v) for v in values):
                errors[f"{base}-value"] = _(
                    "Compare with an answer code or a number (letters, digits, dots, dashes or underscores)."
                )
                continue
            if not values:
                errors[f"{base}-value"] = _("Give at least one answer code, separated by commas.")
                continue
            clause["value"] = values
        elif op in ("equals", "not_equals"):
            if not row["value"]:
                errors[f"{base}-value"] = _("Give a value to compare with.")
                continue
            value = _clause_value(row["value"], target)
            if isinstance(value, str) and not OPTION_CODE_RE.match(value):
                errors[f"{base}-value"] = _(
                    "Compare with an answer code or a number (letters, digits, dots, dashes or underscores)."
                )
                continue
            clause["value"] = value
        clauses.append(clause)
    if errors:
        return None, errors
    if not clauses:
        return None, {}
    if len(clauses) == 1:
        return clauses[0], {}
    return {state["match"]: clauses}, {}


def _clause_value(text: str, target: Question | None):
    """Option codes stay text; numbers compare as numbers for the types
    without options (number, rating, stars)."""
    if target is not None and get_type(target.type).uses_options:
        return text
    number = parse_number(text)
    if number is not None:
        return int(number) if number.is_integer() else number
    return text


def condition_from_json(text: str) -> tuple[dict | None, dict]:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text or text == "null":
        return None, {}
    if len(text) > LOGIC_JSON_MAX:
        return None, {"advanced": _("Keep the condition under %(n)d characters.", n=LOGIC_JSON_MAX)}
    try:
        condition = definition.parse(text)
    except definition.DefinitionError as error:
        message = error.problems[0].message if error.problems else _("This is not valid JSON.")
        if message == _("A survey definition is a JSON object."):
            message = _("A condition is a JSON object.")
        return None, {"advanced": message}
    problems = definition.condition_problems(condition)
    if problems:
        errors["advanced"] = "; ".join(str(p) for p in problems[:3])
        return None, errors
    return condition, {}
