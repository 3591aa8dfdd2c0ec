"""A streaming XLSX writer: the workbook leaves as it is written.

openpyxl (even write-only) writes the whole worksheet to a temporary file
and zips it at the end, so a million-row download sent nothing for
minutes, past any proxy's timeout, and it spent about 18 µs per cell. An
XLSX file is a ZIP of a few XML parts; Python's ``zipfile`` writes a ZIP
to a stream that cannot seek (sizes go in data descriptors after each
part), so the worksheet's XML is made row by row and compressed into the
download as it goes. Memory is one batch of rows.

What it writes: sheet "responses" (header row frozen; numbers as numbers,
text as inline strings, dates and times as Excel serial numbers with a
date or date-time format) and sheet "codebook". Text is stripped of the
control characters XML 1.0 cannot hold (openpyxl refused those with an
error) and keeps carriage returns as ``&#13;``. Callers neutralise
formulas (writers.neutralise); cells here are never formulas anyway.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

MAX_ROWS = 1_048_575  # Excel's limit, less the header row
ROWS_PER_CHUNK = 1_000
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_DATE = EXCEL_EPOCH.date()
# A cell's worth of XML, generously: above this many cells × bytes the
# worksheet may pass 2 GiB, which needs ZIP64 (declared before writing).
CELL_BYTES = 64

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
STYLE_DATE, STYLE_DATETIME = 1, 2

CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = _HEAD + (
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="responses" sheetId="1" r:id="rId1"/><sheet name="codebook" sheetId="2" r:id="rId2"/>'
    "</sheets></workbook>"
)
WORKBOOK_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: general; 1: a date; 2: a date and time (ISO order, any locale).
STYLES = _HEAD + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_START = _HEAD + (
    f'<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
SHEET_END = "</sheetData></worksheet>"


def column_letters(n: int) -> list[str]:
    """A, B, ..., Z, AA, ... for the first n columns."""
    out = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def text_xml(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def row_xml(
    number: int,
    values,
    letters: list[str],
    date_columns: frozenset = frozenset(),
    time_columns: frozenset = frozenset(),
) -> str:
    """One ``<row>``. ``date_columns`` hold ISO date text and
    ``time_columns`` ISO date-time text (``...Z``, UTC): written as Excel
    dates and date-times."""
    parts = [f'<row r="{number}">']
    append = parts.append
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        cls = value.__class__
        if cls is int or cls is float:
            append(f'<c r="{letters[i]}{number}"><v>{value!r}</v></c>')
        elif cls is str:
            if i in date_columns:
                try:
                    serial = (date.fromisoformat(value) - EXCEL_EPOCH_DATE).days
                except ValueError:
                    pass
                else:
                    append(f'<c r="{letters[i]}{number}" s="{STYLE_DATE}"><v>{serial}</v></c>')
                    continue
            elif i in time_columns:
                try:
                    moment = datetime.fromisoformat(value.removesuffix("Z"))
                except ValueError:
                    pass
                else:
                    serial = (moment - EXCEL_EPOCH).total_seconds() / 86400
                    append(f'<c r="{letters[i]}{number}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>')
                    continue
            append(f'<c r="{letters[i]}{number}" t="inlineStr">{text_xml(value)}</c>')
        elif cls is datetime:
            serial = (value - EXCEL_EPOCH).total_seconds() / 86400
            append(f'<c r="{letters[i]}{number}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>')
        elif cls is date:
            append(f'<c r="{letters[i]}{number}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH_DATE).days}</v></c>')
        elif cls is bool:
            append(f'<c r="{letters[i]}{number}" t="b"><v>{int(value)}</v></c>')
        else:
            append(f'<c r="{letters[i]}{number}" t="inlineStr">{text_xml(str(value))}</c>')
    parts.append("</row>")
    return "".join(parts)


class _Sink:
    """A write-only stream for zipfile: it cannot seek, so zipfile writes
    data descriptors, and what it wrote is taken out chunk by chunk."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def workbook_chunks(
    header: list[str],
    rows: Iterable,
    codebook: Iterable[list],
    *,
    date_columns: Iterable[int] = (),
    time_columns: Iterable[int] = (),
    expected_cells: int = 0,
    too_many_note: str = "",
    limit: int = MAX_ROWS,
) -> Iterator[bytes]:
    """The XLSX file as byte chunks. ``rows`` beyond ``limit`` are not
    written; ``too_many_note`` is put in a last row instead (the caller
    refuses oversize exports before streaming; this covers responses that
    arrive during the download). ``expected_cells`` decides ZIP64."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, text in (
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/styles.xml", STYLES),
    ):
        archive.writestr(name, text)
    letters = column_letters(len(header))
    dates, times = frozenset(date_columns), frozenset(time_columns)
    with archive.open(
        "xl/worksheets/sheet1.xml", "w", force_zip64=expected_cells * CELL_BYTES > zipfile.ZIP64_LIMIT
    ) as part:
        part.write((SHEET_START + row_xml(1, header, letters)).encode())
        number, pending = 1, []
        for values in rows:
            if number > limit:
                pending.append(row_xml(number + 1, [too_many_note], letters))
                break
            number += 1
            pending.append(row_xml(number, values, letters, dates, times))
            if len(pending) >= ROWS_PER_CHUNK:
                part.write("".join(pending).encode())
                pending.clear()
                yield sink.take()
        part.write(("".join(pending) + SHEET_END).encode())
    yield sink.take()
    book_rows = list(codebook)
    book_letters = column_letters(max((len(r) for r in book_rows), default=1))
    sheet = [SHEET_START] + [row_xml(n, r, book_letters) for n, r in enumerate(book_rows, start=1)] + [SHEET_END]
    archive.writestr("xl/worksheets/sheet2.xml", "".join(sheet))
    archive.close()
    yield sink.take()
