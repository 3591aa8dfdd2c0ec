"""XLSForm -> Suara definition document, with a report of everything that
could not be represented (row number and reason), never silently dropped.

The workbook is first checked with pyxform (the reference XLSForm
converter), so a form pyxform refuses is refused with its message. Nothing
is created unless the resulting document passes definition.validate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..languages import code_for_name
from ..questions import get_type
from ..questions.xlsform import IMPORTED, SELECTS, imported_type
from ..surveys import definition
from .expressions import Unsupported, parse_constraint, parse_relevant
from .workbook import Sheet, XLSFormError, read_workbook

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
OPTION_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "calculate",
    "hidden",
    "xml-external",
    "csv-external",
}
IGNORED_COLUMNS = (
    "calculation",
    "default",
    "trigger",
    "read_only",
    "repeat_count",
    "choice_filter",
    "constraint_message",
    "required_message",
    "parameters",
)


@dataclass
class ReportLine:
    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        return f"{where}: {self.message}"


@dataclass
class Conversion:
    document: dict
    report: list[ReportLine] = field(default_factory=list)


def language_code(spec: str) -> str | None:
    """``English (en)`` -> en; ``id`` -> id; ``Indonesian`` -> id."""
    spec = spec.strip()
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\)\s*$", spec)
    if match:
        return match.group(1).lower()
    if re.fullmatch(r"[a-z]{2,3}", spec):
        return spec
    return code_for_name(spec)


def check_with_pyxform(data: bytes) -> None:
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(data, file_type=".xlsx", warnings=[])
    except PyXFormError as error:
        raise XLSFormError([_("This is not a valid XLSForm: %(detail)s", detail=str(error)[:500])]) from None
    except Exception as error:  # pyxform can fail in its own ways on odd files
        raise XLSFormError(
            [
                _(
                    "This workbook could not be read as an XLSForm (%(detail)s).",
                    detail=f"{type(error).__name__}: {str(error)[:300]}",
                )
            ]
        ) from None


def read(data: bytes, filename: str, max_bytes: int) -> Conversion:
    """Read and convert; raises XLSFormError when nothing can be imported."""
    sheets = read_workbook(data, max_bytes)
    check_with_pyxform(data)
    return convert(sheets, filename)


class _Converter:
    def __init__(self, sheets: dict[str, Sheet], filename: str):
        self.sheets = sheets
        self.filename = filename
        self.report: list[ReportLine] = []
        self.codes: set[str] = set()
        self.known: dict[str, dict] = {}  # XLSForm name -> what logic needs
        self.locations: dict[str, int] = {}  # JSON path -> survey row

    def note(self, sheet: str, row: int | None, message: str) -> None:
        self.report.append(ReportLine(sheet, row, message))

    # ---- languages ----------------------------------------------------
    def languages(self) -> tuple[list[str], str]:
        settings = self.settings()
        columns = set(self.sheets["survey"].headers) | set(self.sheets.get("choices", Sheet("", [], [])).headers)
        found: list[str] = []
        for column in sorted(columns):
            head, sep, spec = column.partition("::")
            if sep and head in ("label", "hint"):
                code = language_code(spec)
                if code is None:
                    self.note(
                        "survey",
                        1,
                        _(
                            'The language of column "%(column)s" is not known; write it as "label::English (en)". The column was not imported.',
                            column=column,
                        ),
                    )
                elif code not in found:
                    found.append(code)
        default = language_code(settings.get("default_language", "")) if settings.get("default_language") else None
        if default is None:
            default = found[0] if found else "id"
        if default not in found:
            found.insert(0, default)
        if "id" in found:  # Suara's residents read Indonesian first
            found.remove("id")
            found.insert(0, "id")
        return found[:10], default

    def settings(self) -> dict:
        sheet = self.sheets.get("settings")
        return sheet.rows[0][1] if sheet and sheet.rows else {}

    def texts(self, record: dict, base: str) -> dict:
        out = {}
        for column, value in record.items():
            head, sep, spec = column.partition("::")
            if head != base or not value:
                continue
            code = language_code(spec) if sep else self.default
            if code in self.languages_list:
                out.setdefault(code, value[:2000])
        return out

    # ---- choices --------------------------------------------------------
    def choice_lists(self) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        for row, record in self.sheets.get("choices", Sheet("", [], [])).rows:
            list_name = record.get("list_name", "")
            name = record.get("name", "")
            if not list_name or not name:
                self.note("choices", row, _("A choice needs a list_name and a name; this row was skipped."))
                continue
            code = name if OPTION_RE.match(name) else re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:64]
            if code != name:
                self.note(
                    "choices",
                    row,
                    _('Choice name "%(name)s" became "%(code)s" (letters, digits, _ . - only).', name=name, code=code),
                )
            label = self.texts(record, "label") or {self.default: name}
            lists.setdefault(list_name, []).append({"code": code, "label": label, "_name": name, "_row": row})
        return lists

    # ---- survey rows ----------------------------------------------------
    def code_for(self, name: str, row: int) -> str:
        code = name if CODE_RE.match(name) else re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not code or not code[0].isalpha():
            code = "q" + code
        code = code[:64]
        base, n = code, 2
        while code in self.codes:
            code = f"{base[:60]}_{n}"
            n += 1
        if code != name:
            self.note(
                "survey",
                row,
                _(
                    'Name "%(name)s" became "%(code)s" (a Suara code starts with a letter; letters, digits and _ only).',
                    name=name,
                    code=code,
                ),
            )
        self.codes.add(code)
        return code

    def run(self) -> Conversion:
        self.languages_list, self.default = self.languages()
        lists = self.choice_lists()
        settings = self.settings()
        title = settings.get("form_title") or re.sub(r"\.xlsx?$", "", self.filename or "") or "XLSForm"
        pages: list[dict] = []
        page: dict | None = None
        group_stack: list[tuple[str, dict | None]] = []  # (kind, condition)
        skipping_repeat = 0
        for row, record in self.sheets["survey"].rows:
            kind_text = re.sub(r"\s+", " ", record.get("type", "")).strip()
            name = record.get("name", "")
            words = kind_text.replace("begin_", "begin ").replace("end_", "end ").split(" ")
            base = words[0].lower() if words else ""
            if base == "begin" and len(words) > 1 and words[1].lower() == "repeat":
                skipping_repeat += 1
                self.note(
                    "survey",
                    row,
                    _(
                        'Repeat "%(name)s" is not supported: Suara asks each question once. The repeat and the questions in it were not imported.',
                        name=name,
                    ),
                )
                continue
            if base == "end" and len(words) > 1 and words[1].lower() == "repeat":
                skipping_repeat = max(0, skipping_repeat - 1)
                continue
            if skipping_repeat:
                if kind_text:
                    self.note(
                        "survey", row, _('"%(name)s" is inside a repeat and was not imported.', name=name or kind_text)
                    )
                continue
            if base == "begin" and len(words) > 1 and words[1].lower() == "group":
                condition = self.relevant(record, row)
                if not group_stack:
                    page = {"title": self.texts(record, "label"), "questions": [], "_row": row}
                    if condition:
                        page["logic"] = condition
                    pages.append(page)
                    group_stack.append(("page", None))
                else:
                    self.note(
                        "survey",
                        row,
                        _(
                            'Group "%(name)s" inside another group was merged into the page of the outer group.',
                            name=name,
                        ),
                    )
                    group_stack.append(("inner", condition))
                continue
            if base == "end" and len(words) > 1 and words[1].lower() == "group":
                if group_stack:
                    group_stack.pop()
                if not group_stack:
                    page = None
                continue
            if not kind_text:
                if name:
                    self.note("survey", row, _('Row "%(name)s" has no type and was skipped.', name=name))
                continue
            if base in METADATA_TYPES:
                self.note(
                    "survey",
                    row,
                    _(
                        '"%(type)s" (%(name)s) is form metadata; Suara records start and submission times itself. Not imported.',
                        type=base,
                        name=name,
                    ),
                )
                continue
            question = self.question(row, record, words, lists)
            if question is None:
                continue
            inner = [c for kind, c in group_stack if kind == "inner" and c]
            own = question.pop("_logic", None)
            conditions = inner + ([own] if own else [])
            if conditions:
                question["logic"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
            if page is None:
                page = {"questions": [], "_row": row}
                pages.append(page)
            page["questions"].append(question)
        pages = [
            p
            for p in pages
            if p["questions"]
            or self.note("survey", p["_row"], _("This group has no question Suara could import; it was left out."))
            or False
        ]
        document = {
            "format": definition.FORMAT,
            "version": definition.VERSION,
            "kind": "custom",
            "languages": self.languages_list,
            "default_language": self.default,
            "title": {lang: title[:300] for lang in self.languages_list},
            "pages": pages,
        }
        return Conversion(document, self.report)

    def relevant(self, record: dict, row: int) -> dict | None:
        text = record.get("relevant", "")
        if not text:
            return None
        try:
            return parse_relevant(text, self.known.get)
        except Unsupported as reason:
            self.note(
                "survey",
                row,
                _(
                    'Skip logic "%(expr)s" cannot be represented (%(reason)s); the question is always shown.',
                    expr=text[:200],
                    reason=str(reason),
                ),
            )
            return None

    def question(self, row: int, record: dict, words: list[str], lists: dict) -> dict | None:
        base = words[0].lower()
        name = record.get("name", "")
        if not name:
            self.note("survey", row, _("A question needs a name; this row was skipped."))
            return None
        settings: dict = {}
        options = None
        appearance = record.get("appearance", "").lower()
        if base in SELECTS:
            list_name = words[1] if len(words) > 1 else ""
            if list_name not in lists:
                self.note(
                    "survey",
                    row,
                    _(
                        'Choice list "%(list)s" was not found on the choices sheet; "%(name)s" was not imported.',
                        list=list_name,
                        name=name,
                    ),
                )
                return None
            options = [{k: v for k, v in o.items() if not k.startswith("_")} for o in lists[list_name]]
            if len(words) > 2 and words[2].lower() == "or_other":
                if base == "rank":
                    self.note("survey", row, _("or_other on a ranking is not supported and was ignored."))
                else:
                    options.append(
                        {
                            "code": "other",
                            "label": {lang: ("Lainnya" if lang == "id" else "Other") for lang in self.languages_list},
                            "is_other": True,
                        }
                    )
            qtype = imported_type(base, options, appearance, settings)
        elif base in IMPORTED:
            qtype = imported_type(base, None, appearance, settings)
        elif base.startswith("select_") and base.endswith("_from_file"):
            self.note(
                "survey",
                row,
                _(
                    '"%(type)s" (choices from a file) is not supported; "%(name)s" was not imported.',
                    type=base,
                    name=name,
                ),
            )
            return None
        else:
            self.note(
                "survey",
                row,
                _(
                    'Question type "%(type)s" is not supported by Suara; "%(name)s" was not imported.',
                    type=base,
                    name=name,
                ),
            )
            return None
        code = self.code_for(name, row)
        title = self.texts(record, "label")
        if not title.get(self.default):
            fallback = next(iter(title.values()), None) or name
            title[self.default] = fallback
            self.note(
                "survey",
                row,
                _(
                    '"%(name)s" has no label in the default language; "%(text)s" was used.',
                    name=name,
                    text=fallback[:80],
                ),
            )
        question = {"code": code, "type": qtype, "title": {k: v[:2000] for k, v in title.items()}}
        hint = self.texts(record, "hint")
        if hint:
            question["help_text"] = hint
        takes_answer = get_type(qtype).takes_answer
        if record.get("required", "").lower() in ("yes", "true", "true()", "1") and takes_answer:
            question["required"] = True
        if options is not None:
            question["options"] = options
        constraint = record.get("constraint", "")
        if constraint:
            try:
                settings.update(parse_constraint(constraint, qtype, bool(settings.get("integer"))))
            except Unsupported as reason:
                self.note(
                    "survey",
                    row,
                    _(
                        'Constraint "%(expr)s" cannot be represented (%(reason)s); it was not imported.',
                        expr=constraint[:200],
                        reason=str(reason),
                    ),
                )
        for column in IGNORED_COLUMNS:
            if record.get(column):
                self.note(
                    "survey",
                    row,
                    _(
                        'Column "%(column)s" ("%(value)s") is not supported and was ignored.',
                        column=column,
                        value=record[column][:100],
                    ),
                )
        if settings:
            question["settings"] = settings
        condition = self.relevant(record, row)
        if condition:
            question["_logic"] = condition
        if takes_answer:
            self.known[name] = {
                "code": code,
                "type": qtype,
                "integer": bool(settings.get("integer")),
                "options": {o.get("_name", o["code"]): o["code"] for o in lists.get(words[1], [])}
                if options is not None
                else {},
            }
        self.locations[code] = row
        return question


def convert(sheets: dict[str, Sheet], filename: str = "") -> Conversion:
    """Build the document, then drop any logic the definition rules still
    refuse (reported); raise XLSFormError listing rows for other problems."""
    converter = _Converter(sheets, filename)
    conversion = converter.run()
    document = conversion.document
    page_rows = [page.pop("_row", None) for page in document["pages"]]
    if not document["pages"]:
        raise XLSFormError(
            [str(line) for line in conversion.report] + [_("The form has no question Suara can import.")]
        )
    for _round in range(3):
        problems = definition.validate(document)
        logic_problems = [p for p in problems if ".logic" in p.path]
        if not logic_problems:
            break
        for problem in logic_problems:
            target, row = _locate(document, problem.path, converter.locations, page_rows)
            if target is not None and target.pop("logic", None) is not None:
                conversion.report.append(
                    ReportLine("survey", row, _("Skip logic removed: %(reason)s", reason=problem.message))
                )
    problems = definition.validate(document)
    if problems:
        lines = []
        for problem in problems[:50]:
            _target, row = _locate(document, problem.path, converter.locations, page_rows)
            lines.append(str(ReportLine("survey", row, f"{problem.message} ({problem.path})")))
        raise XLSFormError(lines)
    return conversion


def _locate(document: dict, path: str, locations: dict, page_rows: list) -> tuple[dict | None, int | None]:
    match = re.match(r"pages\[(\d+)\](?:\.questions\[(\d+)\])?", path)
    if not match:
        return None, None
    page = document["pages"][int(match.group(1))]
    if match.group(2) is None:
        return page, page_rows[int(match.group(1))]
    question = page["questions"][int(match.group(2))]
    return question, locations.get(question["code"])
