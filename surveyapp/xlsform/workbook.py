"""Reading an XLSForm workbook safely: size and row limits, clear errors."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _

from ..limits import XLSFORM_MAX_COLUMNS as MAX_COLUMNS
from ..limits import XLSFORM_MAX_ROWS as MAX_ROWS
from . import bounds


class XLSFormError(ValueError):
    """The file cannot be imported at all; ``problems`` say what and where."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict]]  # (row number in the workbook, {header: value})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(data: bytes, max_bytes: int) -> dict[str, Sheet]:
    """The survey, choices and settings sheets as rows of header -> text.

    Raises XLSFormError for a file that is too large (packed, or unpacked past
    the bounds checked before parsing), not a readable .xlsx file, lacks a
    survey sheet, or has more than MAX_ROWS rows in a sheet."""
    if len(data) > max_bytes:
        raise XLSFormError(
            [
                _(
                    "The file is %(size)s bytes; the limit is %(limit)s bytes.",
                    size=format(len(data), ","),
                    limit=format(max_bytes, ","),
                )
            ]
        )
    try:
        return _parse(data)
    except XLSFormError:
        raise
    except bounds.TooLarge as error:
        raise XLSFormError([str(error)]) from None
    except UNREADABLE as error:
        raise XLSFormError(
            [
                _(
                    "This file is not a readable Excel workbook (%(detail)s). Save the XLSForm as .xlsx and try again.",
                    detail=type(error).__name__,
                )
            ]
        ) from None


# What a damaged or hostile .xlsx makes zipfile, the XML parsers and openpyxl raise
# (ParseError is a SyntaxError; an encrypted member is a RuntimeError; defusedxml's
# refusals and bad encodings are ValueErrors). Any of them means "not readable".
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,
    RuntimeError,
    NotImplementedError,
)


def _parse(data: bytes) -> dict[str, Sheet]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        bounds.check(archive)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        if "survey" not in names:
            raise XLSFormError(
                [
                    _(
                        'The workbook has no sheet named "survey", so it is not an XLSForm (sheets found: %(names)s).',
                        names=", ".join(book.sheetnames)[:200],
                    )
                ]
            )
        sheets = {}
        for wanted in bounds.READ_SHEETS:
            if wanted in names:
                sheets[wanted] = _read_sheet(book[names[wanted]], wanted)
        return sheets
    finally:
        book.close()


def _read_sheet(worksheet, name: str) -> Sheet:
    rows = worksheet.iter_rows(values_only=True)
    headers: list[str] = []
    for header_row in rows:
        headers = [_cell(v) for v in header_row[:MAX_COLUMNS]]
        if any(headers):
            break
    headers = [_normal_header(h) for h in headers]
    out = []
    number = 1
    for number, values in enumerate(rows, start=2):
        if len(out) >= MAX_ROWS:
            raise XLSFormError(
                [
                    _(
                        "The %(sheet)s sheet has more than %(n)s rows; Suara imports forms of up to %(n)s rows.",
                        sheet=name,
                        n=format(MAX_ROWS, ","),
                    )
                ]
            )
        record = {h: _cell(v) for h, v in zip(headers, values) if h}
        if any(record.values()):
            out.append((number, record))
    return Sheet(name, headers, out)


def _normal_header(header: str) -> str:
    """``Label::English (en)`` -> ``label::English (en)``; ``list name`` ->
    ``list_name`` (both spellings are in use)."""
    head, sep, rest = header.partition("::")
    head = re.sub(r"\s+", "_", head.strip().lower())
    return head + sep + rest.strip() if sep else head
