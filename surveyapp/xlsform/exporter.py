"""A Suara survey as an XLSForm (.xlsx) that pyxform turns into an XForm, so
field teams can collect offline with ODK Collect or KoboCollect.

Mapping: a page is a field-list group; a matrix is a field-list group with a
select_one per item (named <code>_<item>); "other, please specify" is the
option plus a text question <code>_other shown when it is chosen; ratings,
stars and numbers are integer/decimal with range constraints; ranking uses
the ``rank`` type. Skip logic becomes ``relevant`` expressions.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from ..languages import english_name
from ..questions import get_type
from ..questions.simple import PATTERNS
from ..surveys.definition import export_definition

# The XPath regex for each answer pattern (the same expressions Suara checks).
PATTERN_REGEX = {name: pattern.pattern for name, pattern in PATTERNS.items()}


def language_column(prefix: str, lang: str) -> str:
    return f"{prefix}::{english_name(lang)} ({lang})"


def _quote(value) -> str:
    text = str(value)
    return "'" + text + "'" if "'" not in text else '"' + text + '"'


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class _Expressions:
    """Suara conditions -> XPath ``relevant`` expressions."""

    def __init__(self, questions: dict[str, dict]):
        self.questions = questions

    def condition(self, condition: dict | None) -> str:
        if not condition:
            return ""
        for key, joiner in (("all", " and "), ("any", " or ")):
            if key in condition:
                parts = [self.condition(c) for c in condition[key]]
                return "(" + joiner.join(parts) + ")" if len(parts) > 1 else parts[0]
        return self.clause(condition)

    def clause(self, clause: dict) -> str:
        question = self.questions[clause["question"]]
        qtype, op, value = get_type(question["type"]), clause["op"], clause.get("value")
        ref = "${" + (f"{question['code']}_{clause['item']}" if qtype.uses_items else question["code"]) + "}"
        if op == "answered":
            return f"{ref} != ''"
        if op == "not_answered":
            return f"{ref} = ''"
        if qtype.uses_options and qtype.numeric and op in ("gt", "lt"):
            codes = [
                o["code"]
                for o in question.get("options") or []
                if o.get("value") is not None and (o["value"] > value if op == "gt" else o["value"] < value)
            ]
            return "(" + " or ".join(f"{ref} = {_quote(c)}" for c in codes) + ")" if codes else "false()"
        if op in ("gt", "lt"):
            return f"{ref} {'>' if op == 'gt' else '<'} {_number(value)}"
        values = value if op == "any_of" else [value]
        if qtype.xlsform_type == "select_multiple":
            parts = [f"selected({ref}, {_quote(v)})" for v in values]
        elif qtype.xlsform_type == "rank":
            parts = [f"selected-at({ref}, 0) = {_quote(v)}" for v in values]
        elif (
            isinstance(values[0], (int, float))
            and not isinstance(values[0], bool)
            and qtype.xlsform_type != "select_one"
        ):
            parts = [f"{ref} = {_number(v)}" for v in values]
        else:
            parts = [f"{ref} = {_quote(v)}" for v in values]
        text = parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"
        return f"not({text})" if op == "not_equals" else text


def definition_to_xlsform(document: dict, form_id: str = "suara_survey", version: str = "1") -> bytes:
    languages = document["languages"]
    default = document["default_language"]
    label_cols = [language_column("label", lang) for lang in languages]
    hint_cols = [language_column("hint", lang) for lang in languages]
    survey_rows: list[dict] = []
    choice_rows: list[dict] = []
    questions = {q["code"]: q for page in document["pages"] for q in page["questions"]}
    xpath = _Expressions(questions)

    def texts(prefix: str, values: dict | None) -> dict:
        values = values or {}
        fallback = values.get(default) or next((v for v in values.values() if v), "")
        return {language_column(prefix, lang): values.get(lang) or fallback for lang in languages} if fallback else {}

    def choices(list_name: str, options: list[dict]) -> None:
        for option in options:
            choice_rows.append({"list_name": list_name, "name": option["code"], **texts("label", option["label"])})

    # Start and end times let an import compute the duration.
    survey_rows += [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]
    for number, page in enumerate(document["pages"], start=1):
        survey_rows.append(
            {
                "type": "begin group",
                "name": f"page_{number}",
                **texts("label", page.get("title")),
                "appearance": "field-list",
                "relevant": xpath.condition(page.get("logic")),
            }
        )
        for question in page["questions"]:
            survey_rows.extend(_question_rows(question, texts, choices, xpath))
        survey_rows.append({"type": "end group", "name": f"page_{number}"})

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    columns = ["type", "name", *label_cols, *hint_cols, "required", "relevant", "constraint", "appearance"]
    _write(sheet, columns, survey_rows)
    _write(workbook.create_sheet("choices"), ["list_name", "name", *label_cols], choice_rows)
    settings = workbook.create_sheet("settings")
    title = (document.get("title") or {}).get(default) or form_id
    _write(
        settings,
        ["form_title", "form_id", "version", "default_language"],
        [
            {
                "form_title": title,
                "form_id": form_id,
                "version": version,
                "default_language": f"{english_name(default)} ({default})",
            }
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _question_rows(question: dict, texts, choices, xpath: _Expressions) -> list[dict]:
    code, qtype = question["code"], get_type(question["type"])
    xls_type = qtype.xlsform_type
    settings = question.get("settings") or {}
    base = {
        "name": code,
        **texts("label", question["title"]),
        **texts("hint", question.get("help_text")),
        "relevant": xpath.condition(question.get("logic")),
    }
    if question.get("required") and qtype.takes_answer:
        base["required"] = "yes"
    options = question.get("options") or []
    if not options:
        options = qtype.default_options() or []
    rows = []
    if xls_type == "select_one":
        choices(code, options)
        row = {**base, "type": f"select_one {code}"}
        if qtype.xlsform_appearance:
            row["appearance"] = qtype.xlsform_appearance
        elif settings.get("display") == "dropdown":
            row["appearance"] = "minimal"
        rows.append(row)
    elif xls_type == "select_multiple":
        choices(code, options)
        constraint = []
        if settings.get("min_selected"):
            constraint.append(f"count-selected(.) >= {settings['min_selected']}")
        if settings.get("max_selected"):
            constraint.append(f"count-selected(.) <= {settings['max_selected']}")
        rows.append({**base, "type": f"select_multiple {code}", "constraint": " and ".join(constraint)})
    elif xls_type == "rank":
        choices(code, options)
        rows.append({**base, "type": f"rank {code}"})
    elif xls_type == "group":
        choices(code, options)
        rows.append({**base, "type": "begin group", "appearance": "field-list", "required": ""})
        for item in question.get("items") or []:
            rows.append(
                {
                    "type": f"select_one {code}",
                    "name": f"{code}_{re.sub(r'[^A-Za-z0-9_]', '_', item['code'])}",
                    **texts("label", item["label"]),
                    "required": base.get("required", ""),
                    "appearance": "likert",
                }
            )
        rows.append({"type": "end group", "name": code})
    elif xls_type == "integer":
        low, high = qtype.low, qtype.high
        rows.append({**base, "type": "integer", "constraint": f". >= {low} and . <= {high}"})
    elif xls_type == "decimal":
        parts = []
        if settings.get("min") is not None:
            parts.append(f". >= {_number(settings['min'])}")
        if settings.get("max") is not None:
            parts.append(f". <= {_number(settings['max'])}")
        rows.append(
            {**base, "type": "integer" if settings.get("integer") else "decimal", "constraint": " and ".join(parts)}
        )
    elif xls_type == "date":
        parts = []
        if settings.get("min"):
            parts.append(f". >= date('{settings['min']}')")
        if settings.get("max"):
            parts.append(f". <= date('{settings['max']}')")
        rows.append({**base, "type": "date", "constraint": " and ".join(parts)})
    elif xls_type == "text":
        parts = []
        limit = settings.get("max_length") or qtype.default_max
        parts.append(f"string-length(.) <= {limit}")
        if settings.get("pattern") in PATTERN_REGEX:
            parts.append(f"regex(., '{PATTERN_REGEX[settings['pattern']]}')")
        row = {**base, "type": "text", "constraint": " and ".join(parts)}
        if qtype.xlsform_appearance:
            row["appearance"] = qtype.xlsform_appearance
        rows.append(row)
    else:  # note
        rows.append({**base, "type": "note"})
    other = next((o for o in options if o.get("is_other")), None)
    if other is not None:
        test = (
            f"selected(${{{code}}}, {_quote(other['code'])})"
            if xls_type == "select_multiple"
            else f"${{{code}}} = {_quote(other['code'])}"
        )
        label = {
            lang: f"{text} ({'sebutkan' if lang == 'id' else 'please specify'})"
            for lang, text in (other.get("label") or {}).items()
        }
        rows.append(
            {"type": "text", "name": f"{code}_other", **texts("label", label), "relevant": test, "required": "yes"}
        )
    return rows


def _write(sheet, columns: list[str], rows: list[dict]) -> None:
    sheet.append(columns)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column) or None
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index, value=value)
            # openpyxl stores a string starting with "=" as a formula; a
            # label is text, whatever it starts with.
            if isinstance(value, str):
                cell.data_type = "s"


def survey_to_xlsform(survey) -> bytes:
    stamp = survey.updated_at or survey.created_at
    version = stamp.strftime("%Y%m%d%H%M") if stamp else "1"
    return definition_to_xlsform(export_definition(survey), form_id=f"suara_{survey.id}", version=version)
