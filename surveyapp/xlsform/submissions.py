"""Import of submissions collected offline with ODK Collect / KoboCollect
(the CSV export of KoboToolbox or ODK Central) into a Suara survey.

Each row goes through the collect service's one-call submission
(responses.services.submit_whole): the same validation and exactly-once
rules as the web form, with the row's instance id as the submission id, so
importing the same file again stores nothing twice. Rows are independent:
one rejected row does not stop the others, and every rejection is reported.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ..questions import get_type
from ..responses import outcomes
from ..responses import services as responses
from ..responses.models import Channel
from ..surveys.models import Survey
from ..uploads import CSVFileError, read_csv
from .workbook import XLSFormError

MAX_ROWS = 20_000
ID_COLUMNS = ("meta/instanceID", "instanceID", "_uuid", "KEY", "meta-instanceID")
START_COLUMNS = ("start", "meta/start")
UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)


@dataclass
class Rejected:
    row: int
    messages: list[str]

    def __str__(self) -> str:
        return f"row {self.row}: " + "; ".join(self.messages)


@dataclass
class SubmissionReport:
    stored: int = 0
    already: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row; raises XLSFormError naming a line that cannot be read."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return read_csv(text, dialect)
    except CSVFileError as error:
        raise XLSFormError([error.message]) from None


class _Mapper:
    """Kobo/ODK column names -> what each column means in the survey."""

    def __init__(self, survey: Survey):
        self.questions = {q.code: q for q in survey.questions if q.retired_at is None}
        self.items = {}
        for question in self.questions.values():
            if get_type(question.type).uses_items:
                for item in question.options:
                    if item.kind == "item":
                        self.items[f"{question.code}_{re.sub(r'[^A-Za-z0-9_]', '_', item.code)}"] = (
                            question.code,
                            item.code,
                        )

    def column(self, header: str):
        """("answer", code) | ("other", code) | ("item", (code, item)) | None."""
        parts = [p for p in re.split(r"[/]", header.strip()) if p]
        if not parts:
            return None
        if (
            len(parts) >= 2
            and parts[-2] in self.questions
            and get_type(self.questions[parts[-2]].type).xlsform_type == "select_multiple"
        ):
            return None  # Kobo's split select_multiple columns: the main column has the answer
        name = parts[-1]
        if name not in self.questions and name not in self.items and "-" in name:
            name = name.rsplit("-", 1)[-1]  # ODK Central joins groups with "-"
        if name in self.questions:
            return ("answer", name)
        if name in self.items:
            return ("item", self.items[name])
        if name.endswith("_other") and name[:-6] in self.questions:
            return ("other", name[:-6])
        return None


def _value(question, text: str):
    xls_type = get_type(question.type).xlsform_type
    if xls_type == "select_multiple":
        return text.split()
    if xls_type == "rank":
        return {code: str(rank) for rank, code in enumerate(text.split(), start=1)}
    return text


def _started_at(text: str) -> datetime | None:
    """The start time, or None (unknown) when it is missing or not plausible."""
    return responses.started_at_from(text)


def import_submissions(survey: Survey, data: bytes, max_rows: int = MAX_ROWS) -> SubmissionReport:
    """Raises XLSFormError when the file as a whole cannot be used."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise XLSFormError(
            [_("The file is not UTF-8 text. Export the submissions as CSV (UTF-8) and try again.")]
        ) from None
    rows = _rows(text)
    header = rows[0][1] if rows else None
    if not header:
        raise XLSFormError([_("The file is empty.")])
    mapper = _Mapper(survey)
    id_index = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_index is None:
        raise XLSFormError(
            [
                _(
                    "The file has no submission id column (_uuid or meta/instanceID), so a second import could store rows twice. Export with the instance id and try again."
                )
            ]
        )
    start_index = next((header.index(c) for c in START_COLUMNS if c in header), None)
    plan = {index: mapper.column(name) for index, name in enumerate(header)}
    report = SubmissionReport()
    report.ignored_columns = [
        name
        for index, name in enumerate(header)
        if plan[index] is None
        and index not in (id_index, start_index)
        and not name.startswith("_")
        and name not in ("end", "meta/instanceID", "instanceID", "meta/rootUuid", "KEY", "SubmissionDate")
    ]
    if not any(plan.values()):
        raise XLSFormError([_("No column of the file matches a question code of this survey.")])
    for number, values in enumerate((cells for _line, cells in rows[1:]), start=2):
        if number - 1 > max_rows:
            report.rejected.append(
                Rejected(
                    number,
                    [
                        _(
                            "Only the first %(n)s rows are imported at once; import the rest in another file.",
                            n=format(max_rows, ","),
                        )
                    ],
                )
            )
            break
        if not any(v.strip() for v in values):
            continue
        _one_row(survey, mapper, plan, values, id_index, start_index, number, report)
    return report


def _one_row(survey, mapper, plan, values, id_index, start_index, number, report) -> None:
    raw_id = values[id_index].strip() if id_index < len(values) else ""
    submission_id = UUID_PREFIX.sub("", raw_id).lower()
    raws: dict = {}
    others: dict = {}
    for index, meaning in plan.items():
        if meaning is None or index >= len(values) or not values[index].strip():
            continue
        kind, target = meaning
        text = values[index].strip()
        if kind == "answer":
            raws[target] = _value(mapper.questions[target], text)
        elif kind == "item":
            raws.setdefault(target[0], {})[target[1]] = text
        else:
            others[target] = text
    for code, text in others.items():
        value = raws.get(code)
        if isinstance(value, list):
            raws[code] = {"choices": value, "other": text}
        elif isinstance(value, str):
            raws[code] = {"choice": value, "other": text}
    started = _started_at(values[start_index]) if start_index is not None and start_index < len(values) else None
    outcome = responses.submit_whole(
        survey, raws, submission_id, Channel.OFFLINE_APP.value, language=survey.default_language, started_at=started
    )
    match outcome:
        case outcomes.Completed():
            report.stored += 1
        case outcomes.Duplicate():
            report.already += 1
        case outcomes.Invalid(errors=errors):
            report.rejected.append(Rejected(number, [f"{code}: {message}" for code, message in errors.items()]))
        case outcomes.Refused(reason=reason):
            report.rejected.append(
                Rejected(
                    number,
                    [_("The survey is not taking responses (%(reason)s). Open it, then import again.", reason=reason)],
                )
            )
        case outcomes.BadToken(reason=outcomes.OTHER_SURVEY):
            report.rejected.append(Rejected(number, [_("This submission id belongs to a response of another survey.")]))
        case outcomes.BadToken():
            report.rejected.append(Rejected(number, [_('The submission id "%(id)s" is not a UUID.', id=raw_id[:60])]))
