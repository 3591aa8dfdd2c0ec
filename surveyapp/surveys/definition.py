"""Survey definitions as JSON (docs/survey-format.md): validate, import, export.

``validate`` reports every problem with its location and never touches the
database; ``build_survey`` turns a valid document into models. Import is
all-or-nothing: callers commit only after ``validate`` returned no problems.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from ..questions import QUESTION_TYPES, get_type
from ..wrappers import has_nul, nul_message
from . import logic
from .models import Option, Page, Question, Survey

FORMAT = "suara-survey"
VERSION = 1
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_QUESTIONS = 500
SCHEMA_PATH = Path(__file__).with_name("survey-definition.schema.json")
TEXT_FIELDS = ("title", "description", "welcome_text", "thankyou_text")
LANG_RE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(ValueError):
    """An invalid definition; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _condition_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/condition"})


def condition_problems(condition) -> list[Problem]:
    """Shape problems of one skip-logic condition on its own (the
    references to questions are checked with the whole survey)."""
    problems = [Problem(_path(e.absolute_path), e.message[:300]) for e in _condition_validator().iter_errors(condition)]
    if not problems and logic.depth(condition) > logic.MAX_DEPTH:
        problems.append(Problem("", _("Conditions can be nested at most %(n)d deep.", n=logic.MAX_DEPTH)))
    return sorted(problems, key=lambda p: p.path)[:20]


def parse(data: bytes | str) -> dict:
    """Decode a JSON document within the size and nesting limits.

    Raises DefinitionError with a message a person can act on."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise DefinitionError(
            [Problem("", _("The file is %(size)s bytes; the limit is 1 MiB.", size=format(size, ",")))]
        )
    try:
        document = json.loads(data)
    except RecursionError:
        raise DefinitionError([Problem("", _("The document is nested too deeply."))]) from None
    except (ValueError, UnicodeDecodeError) as error:
        if hasattr(error, "lineno"):
            message = _(
                "This is not valid JSON (line %(line)d, column %(column)d).", line=error.lineno, column=error.colno
            )
        else:
            message = _("This is not valid JSON.")
        raise DefinitionError([Problem("", message)]) from None
    if _depth(document) > MAX_DEPTH:
        raise DefinitionError([Problem("", _("The document is nested more than %(n)d levels deep.", n=MAX_DEPTH))])
    if not isinstance(document, dict):
        raise DefinitionError([Problem("", _("A survey definition is a JSON object."))])
    if has_nul(document):  # a file's content, which the request class does not see
        raise DefinitionError([Problem("", nul_message())])
    return document


def _depth(value) -> int:
    """Nesting depth without recursion (a hostile file could be very deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(document: dict, *, draft: bool = False) -> list[Problem]:
    """Every problem in ``document``, schema first, then the cross-checks.

    ``draft`` tolerates a survey still being built: no pages, or pages
    without questions (publishing checks that something is asked)."""
    if document.get("format") == FORMAT and isinstance(document.get("version"), int) and document["version"] > VERSION:
        return [
            Problem(
                "version",
                _(
                    "This file uses format version %(v)s; this Suara reads version %(ours)s.",
                    v=document["version"],
                    ours=VERSION,
                ),
            )
        ]
    schema_problems = sorted(
        (
            Problem(_path(e.absolute_path), e.message[:300])
            for e in _validator().iter_errors(document)
            if not (draft and _empty_while_building(e))
        ),
        key=lambda p: p.path,
    )
    if schema_problems:
        return schema_problems[:50]
    problems: list[Problem] = []
    languages = document["languages"]
    if len(set(languages)) != len(languages):
        problems.append(Problem("languages", _("A language is listed twice.")))
    default = document["default_language"]
    if default not in languages:
        problems.append(Problem("default_language", _("The default language must be one of the survey's languages.")))
    if not (document.get("title") or {}).get(default, "").strip():
        problems.append(Problem("title", _("The survey needs a title in its default language.")))
    for field in TEXT_FIELDS:
        problems += _text_keys(document.get(field), field, languages)

    earlier: dict[str, dict] = {}
    all_codes = [q.get("code") for page in document["pages"] for q in page["questions"]]
    if len(all_codes) > MAX_QUESTIONS:
        problems.append(Problem("pages", _("A survey can have at most %(n)d questions.", n=MAX_QUESTIONS)))
    seen: set[str] = set()
    for p_index, page in enumerate(document["pages"]):
        page_path = f"pages[{p_index}]"
        problems += _text_keys(page.get("title"), f"{page_path}.title", languages)
        page_codes = {q["code"] for q in page["questions"]}
        remaining = set(all_codes[len(earlier) :])
        for rel, message in logic.check(page.get("logic"), earlier, remaining | page_codes):
            problems.append(Problem(f"{page_path}.{rel}", message))
        for q_index, question in enumerate(page["questions"]):
            path = f"{page_path}.questions[{q_index}]"
            code = question["code"]
            if code in seen:
                problems.append(
                    Problem(f"{path}.code", _('The code "%(code)s" is used by another question.', code=code))
                )
            seen.add(code)
            problems += _check_question(question, path, languages, default)
            later = set(all_codes[len(earlier) :])
            for rel, message in logic.check(question.get("logic"), earlier, later):
                problems.append(Problem(f"{path}.{rel}", message))
            earlier[code] = question
    return problems


def _empty_while_building(error) -> bool:
    path = list(error.absolute_path)
    return error.validator == "minItems" and (
        path == ["pages"] or (len(path) == 3 and path[0] == "pages" and path[2] == "questions")
    )


def _text_keys(text: dict | None, path: str, languages: list[str]) -> list[Problem]:
    extra = sorted(set(text or {}) - set(languages))
    if extra:
        return [Problem(path, _('Text in "%(lang)s", which is not one of the survey\'s languages.', lang=extra[0]))]
    return []


def _check_question(question: dict, path: str, languages: list[str], default: str) -> list[Problem]:
    problems = []
    qtype = get_type(question["type"])
    if not (question.get("title") or {}).get(default, "").strip():
        problems.append(Problem(f"{path}.title", _("The question needs a text in the default language.")))
    for field in ("title", "help_text"):
        problems += _text_keys(question.get(field), f"{path}.{field}", languages)
    options = question.get("options") or []
    items = question.get("items") or []
    if options and not qtype.uses_options:
        problems.append(Problem(f"{path}.options", _("A %(type)s question has no options.", type=question["type"])))
    if items and not qtype.uses_items:
        problems.append(Problem(f"{path}.items", _("Only a matrix question has items.")))
    for kind, entries in (("options", options), ("items", items)):
        codes = [e["code"] for e in entries]
        for index, entry in enumerate(entries):
            if codes.count(entry["code"]) > 1 and codes.index(entry["code"]) < index:
                problems.append(
                    Problem(f"{path}.{kind}[{index}].code", _('The code "%(code)s" is used twice.', code=entry["code"]))
                )
            if not (entry.get("label") or {}).get(default, "").strip():
                problems.append(
                    Problem(f"{path}.{kind}[{index}].label", _("Every answer needs a label in the default language."))
                )
            problems += _text_keys(entry.get("label"), f"{path}.{kind}[{index}].label", languages)
            if entry.get("is_other") and not qtype.allows_other:
                problems.append(
                    Problem(
                        f"{path}.{kind}[{index}].is_other", _('Only choice questions can have "other, please specify".')
                    )
                )
    for rel, message in qtype.check_definition(_with_defaults(question)):
        problems.append(Problem(f"{path}.{rel}", message))
    return problems


def _with_defaults(question: dict) -> dict:
    defaults = get_type(question["type"]).default_options()
    if defaults is not None and not question.get("options"):
        return {**question, "options": defaults}
    return question


def build_survey(document: dict, organisation_id: int, created_by_id: int | None = None) -> Survey:
    """Models for a *valid* document (call ``validate`` first); not committed."""
    survey = Survey(
        organisation_id=organisation_id,
        kind=document["kind"],
        languages=list(document["languages"]),
        default_language=document["default_language"],
        anonymous=bool(document.get("anonymous", False)),
        settings=dict(document.get("settings") or {}),
        created_by_id=created_by_id,
        **{field: dict(document.get(field) or {}) for field in TEXT_FIELDS},
    )
    position = 0
    for p_index, page_doc in enumerate(document["pages"]):
        page = Page(position=p_index, title=dict(page_doc.get("title") or {}), logic=page_doc.get("logic"))
        survey.pages.append(page)
        for question_doc in page_doc["questions"]:
            question_doc = _with_defaults(question_doc)
            question = Question(
                code=question_doc["code"],
                type=question_doc["type"],
                position=position,
                required=bool(question_doc.get("required", False)) and get_type(question_doc["type"]).takes_answer,
                title=dict(question_doc["title"]),
                help_text=dict(question_doc.get("help_text") or {}),
                settings=dict(question_doc.get("settings") or {}),
                metric_role=question_doc.get("metric_role"),
                logic=question_doc.get("logic"),
            )
            position += 1
            for kind, key in (("choice", "options"), ("item", "items")):
                for o_index, entry in enumerate(question_doc.get(key) or []):
                    question.options.append(
                        Option(
                            kind=kind,
                            code=entry["code"],
                            position=o_index,
                            label=dict(entry["label"]),
                            value=entry.get("value"),
                            is_other=bool(entry.get("is_other", False)),
                        )
                    )
            page.questions.append(question)
            survey.questions.append(question)
    return survey


def export_definition(survey: Survey) -> dict:
    """The survey as a version-1 document (retired questions and options,
    kept only for the answers already given, are left out)."""
    pages = []
    for page in survey.pages:
        questions = []
        for question in page.questions:
            if question.retired_at is not None:
                continue
            entry = {
                "code": question.code,
                "type": question.type,
                "required": question.required,
                "title": dict(question.title or {}),
            }
            if question.help_text:
                entry["help_text"] = dict(question.help_text)
            if question.metric_role:
                entry["metric_role"] = question.metric_role
            if question.settings:
                entry["settings"] = dict(question.settings)
            if question.logic:
                entry["logic"] = question.logic
            for kind, key in (("choice", "options"), ("item", "items")):
                rows = [o for o in question.options if o.kind == kind and o.retired_at is None]
                if rows:
                    entry[key] = [_export_option(o, kind) for o in rows]
            questions.append(entry)
        page_doc = {"questions": questions}
        if page.title:
            page_doc = {"title": dict(page.title), **page_doc}
        if page.logic:
            page_doc["logic"] = page.logic
        pages.append(page_doc)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kind": survey.kind,
        "languages": list(survey.languages),
        "default_language": survey.default_language,
    }
    for field in TEXT_FIELDS:
        if getattr(survey, field):
            document[field] = dict(getattr(survey, field))
    document["anonymous"] = survey.anonymous
    if survey.settings:
        document["settings"] = dict(survey.settings)
    document["pages"] = pages
    return document


def _export_option(option: Option, kind: str) -> dict:
    entry = {"code": option.code, "label": dict(option.label or {})}
    if kind == "choice":
        if option.value is not None:
            entry["value"] = int(option.value) if float(option.value).is_integer() else option.value
        if option.is_other:
            entry["is_other"] = True
    return entry


def known_types() -> list[str]:
    return sorted(QUESTION_TYPES)
