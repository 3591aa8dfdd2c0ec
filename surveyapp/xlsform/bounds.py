"""Checks on an uploaded .xlsx before openpyxl parses it.

A 60 KB workbook can unpack to gigabytes, or hold millions of cells that
openpyxl builds as Python objects (one such row held a worker 31 s and
1.1 GB). So, before parsing: the zip's member count and total unpacked size
(zipfile stops reading a member at its declared size, so the declared sizes
bound what can come out), the shared strings count, and for each sheet Suara
reads, its ``<dimension>`` (cheap, but it can lie) and then a streaming count
of ``<row>`` and ``<c>`` tags that stops at the first limit passed.

The counts scan the unpacked bytes for start tags instead of parsing XML: a
bound needs no tree, and the scan is ~50 times faster than iterparse, so even
a file just under every limit is checked in a fraction of a second. (Text
that merely looks like a tag, e.g. in a comment, can only make a count larger.)
openpyxl then parses the file, with defusedxml (no DTDs, no entities), and
reports malformed XML. The limits live in ``surveyapp.limits``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator

from defusedxml import ElementTree as SafeET
from flask_babel import gettext as _

from .. import limits

READ_SHEETS = ("survey", "choices", "settings")  # what workbook.read_workbook imports
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
# A start tag, with an optional namespace prefix: <row ...>, <x:c/>, <dimension ref="A1:K9"/>.
SHEET_TAG = re.compile(rb"<(?:\w{1,32}:)?(row|c|dimension)(?=[\s/>])([^>]{0,256})")
STRING_TAG = re.compile(rb"<(?:\w{1,32}:)?si(?=[\s/>])")
REF_ATTRIBUTE = re.compile(rb"""\bref\s*=\s*["']([^"']*)["']""")
CHUNK = 1 << 20
OVERLAP = 512  # longer than any match, so a tag cut by a chunk boundary is seen whole once


class TooLarge(ValueError):
    """The workbook passes a limit; the message names it."""


def _n(value: int) -> str:
    return format(value, ",")


def check(archive: zipfile.ZipFile) -> None:
    """Raise TooLarge naming the first limit the workbook passes. Malformed XML
    raises what the XML parser raises (the caller reports the file as unreadable)."""
    infos = archive.infolist()
    if len(infos) > limits.XLSX_MAX_MEMBERS:
        raise TooLarge(
            _(
                "The workbook holds more than %(max)s files inside; Suara reads workbooks of up to %(max)s.",
                max=_n(limits.XLSX_MAX_MEMBERS),
            )
        )
    if sum(info.file_size for info in infos) > limits.XLSX_MAX_UNCOMPRESSED:
        raise TooLarge(
            _(
                "The workbook unpacks to more than %(max)s bytes; Suara reads workbooks of up to %(max)s bytes unpacked.",
                max=_n(limits.XLSX_MAX_UNCOMPRESSED),
            )
        )
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" in names:
        _check_shared_strings(archive)
    cells = 0
    for sheet_name, part in _sheet_parts(archive):
        if sheet_name.strip().lower() in READ_SHEETS and part in names:
            cells = _check_sheet(archive, part, sheet_name, cells)


def _tag(element) -> str:
    return element.tag.rpartition("}")[2]


def _matches(archive: zipfile.ZipFile, part: str, pattern: re.Pattern) -> Iterator[re.Match]:
    """Every match of ``pattern`` in the unpacked member, in order, read a chunk at a time."""
    buffer = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer += chunk
            cut = len(buffer) if not chunk else max(0, len(buffer) - OVERLAP)
            for match in pattern.finditer(buffer):
                if match.start() >= cut:
                    break
                yield match
            if not chunk:
                return
            buffer = buffer[cut:]


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    """Count <si> entries a chunk at a time, each chunk cut just after a ">" so no tag is split."""
    count, buffer = 0, b""
    with archive.open("xl/sharedStrings.xml") as stream:
        while chunk := stream.read(CHUNK):
            buffer += chunk
            cut = buffer.rfind(b">") + 1
            count += len(STRING_TAG.findall(buffer, 0, cut))
            buffer = buffer[cut:]
            if count > limits.XLSX_MAX_SHARED_STRINGS:
                raise TooLarge(
                    _(
                        "The workbook's shared text table has more than %(max)s entries.",
                        max=_n(limits.XLSX_MAX_SHARED_STRINGS),
                    )
                )


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every worksheet, from workbook.xml and its relationships."""
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return [
        (sheet.get("name") or "", targets.get(sheet.get(REL_NS + "id"), ""))
        for sheet in workbook.iter()
        if _tag(sheet) == "sheet"
    ]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_sheet(archive: zipfile.ZipFile, part: str, sheet: str, cells: int) -> int:
    """Count the sheet's rows and cells; returns the running cell count over the sheets read so far."""
    rows = in_row = 0
    for match in _matches(archive, part, SHEET_TAG):
        tag = match.group(1)
        if tag == b"c":
            in_row, cells = in_row + 1, cells + 1
            if in_row > limits.XLSX_MAX_COLUMNS:
                raise _too_many_columns(sheet)
            if cells > limits.XLSX_MAX_CELLS:
                raise TooLarge(
                    _(
                        "The workbook has more than %(max)s cells in the sheets Suara reads.",
                        max=_n(limits.XLSX_MAX_CELLS),
                    )
                )
        elif tag == b"row":
            rows, in_row = rows + 1, 0
            if rows > limits.XLSX_MAX_ROWS:
                raise _too_many_rows(sheet)
        else:
            ref = REF_ATTRIBUTE.search(match.group(2))
            if ref:
                _check_dimension(ref.group(1).decode("ascii", "replace"), sheet)
    return cells


def _check_dimension(ref: str, sheet: str) -> None:
    """The sheet's own claim of its used range, e.g. "A1:K2000"."""
    end = ref.rpartition(":")[2].upper()
    match = CELL_REF.match(end)
    if not match:
        return
    if int(match.group(2)) > limits.XLSX_MAX_ROWS:
        raise _too_many_rows(sheet)
    if _column_number(match.group(1)) > limits.XLSX_MAX_COLUMNS:
        raise _too_many_columns(sheet)


def _too_many_rows(sheet: str) -> TooLarge:
    return TooLarge(
        _(
            "The %(sheet)s sheet has more than %(max)s rows (blank rows included).",
            sheet=sheet,
            max=_n(limits.XLSX_MAX_ROWS),
        )
    )


def _too_many_columns(sheet: str) -> TooLarge:
    return TooLarge(
        _("A row of the %(sheet)s sheet has more than %(max)s cells.", sheet=sheet, max=_n(limits.XLSX_MAX_COLUMNS))
    )
