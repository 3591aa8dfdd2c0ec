"""Writers for each export format, fed by rows.iter_rows.

CSV and JSON lines are generators of text chunks (streamed as they are
made). XLSX and SPSS need a whole file, so they are written to a temporary
file which the view then streams back; see docs/exports.md for the memory
bound of the SPSS writer.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from array import array
from datetime import date, datetime
from typing import Iterable, Iterator

from .layout import Column, Layout

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
CHUNK_ROWS = 500
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
EPOCH = date(1970, 1, 1)


def neutralise(value):
    """A string a spreadsheet would run as a formula gets an apostrophe in
    front (OWASP "CSV injection"). Numbers Suara formats itself are safe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value


# ---- CSV -------------------------------------------------------------------

def csv_chunks(layout: Layout, rows: Iterable[list], bom: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([neutralise(name) for name in layout.names])
    # Only these columns can hold text a spreadsheet might run; numbers and
    # codes made by Suara pass through untouched (the hot loop).
    texty = [i for i, c in enumerate(layout.columns) if c.kind in ("text", "code", "meta")]
    pending = 0
    for row in rows:
        row = list(row)
        row[4] = _iso(row[4])
        row[5] = _iso(row[5])
        for i in texty:
            value = row[i]
            if value.__class__ is str and value[:1] in FORMULA_FIRST:
                row[i] = "'" + value
        writer.writerow(row)
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def codebook_rows(layout: Layout) -> Iterator[list]:
    yield ["variable", "label", "type", "question", "question_text", "values", "spss_values", "retired"]
    for column in layout.columns:
        values = "; ".join(f"{code} = {label}" for code, _n, label in column.codes)
        spss = "; ".join(f"{_fmt(number)} = {label}" for _c, number, label in column.codes)
        yield [column.name, column.label, column.kind, column.question_code or "", column.question_text,
               values, spss, "yes" if column.retired else ""]


def codebook_csv(layout: Layout, bom: bool = False) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in codebook_rows(layout):
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# ---- JSON lines ------------------------------------------------------------

def jsonl_chunks(layout: Layout, rows: Iterable[list]) -> Iterator[str]:
    """One JSON object per response: the metadata, then ``answers`` by
    question code in the shapes the API accepts (a code, a list of codes,
    {item: code} for a matrix, {option: rank} for a ranking) and ``other``
    texts by question code."""
    plan = _answer_plan(layout)
    out = []
    for row in rows:
        out.append(json.dumps(response_object(layout, plan, row), ensure_ascii=False))
        if len(out) >= CHUNK_ROWS:
            yield "\n".join(out) + "\n"
            out = []
    if out:
        yield "\n".join(out) + "\n"


def _answer_plan(layout: Layout) -> tuple[list[str], list[tuple]]:
    """Metadata names, and (question code, shape, [(column, part)], [other
    column]) per question."""
    meta = [c.name for c in layout.columns if c.question_code is None]
    plan: dict[str, tuple] = {}
    for index, column in enumerate(layout.columns):
        code = column.question_code
        if code is None:
            continue
        if column.part == "other" and column.kind == "text" and code in plan:
            plan[code][3].append(index)
            continue
        shape = "list" if column.kind == "flag" else "dict" if column.kind == "rank" or column.qtype == "matrix" else "value"
        plan.setdefault(code, (code, shape, [], []))[2].append((index, column.part))
    return meta, list(plan.values())


def response_object(layout: Layout, plan: tuple, row: list) -> dict:
    meta, questions = plan
    obj = {name: _iso(row[i]) for i, name in enumerate(meta)}
    answers, others = {}, {}
    for code, shape, cols, other_cols in questions:
        if shape == "value":
            value = row[cols[0][0]]
            if value is not None:
                answers[code] = value
        elif shape == "list":
            if row[cols[0][0]] is not None:
                answers[code] = [part for index, part in cols if row[index] == 1]
        else:
            values = {part: row[index] for index, part in cols if row[index] is not None}
            if values:
                answers[code] = values
        for index in other_cols:
            if row[index] is not None:
                others[code] = row[index]
    obj["answers"] = answers
    if others:
        obj["other"] = others
    return obj


# ---- XLSX ------------------------------------------------------------------

def write_xlsx(layout: Layout, rows: Iterable[list], path: str) -> int:
    """Responses on the first sheet, the codebook on the second; openpyxl's
    write-only mode keeps memory flat. Returns the number of rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append([neutralise(name) for name in layout.names])
    date_cols = [i for i, c in enumerate(layout.columns) if c.kind == "date"]
    n = 0
    for row in rows:
        for i in date_cols:
            if row[i]:
                row[i] = date.fromisoformat(row[i])
        sheet.append([neutralise(v) for v in row])
        n += 1
        if n > XLSX_MAX_ROWS:
            raise TooManyRows(XLSX_MAX_ROWS)
    book = workbook.create_sheet("codebook")
    for row in codebook_rows(layout):
        book.append([neutralise(v) for v in row])
    workbook.save(path)
    return n


class TooManyRows(ValueError):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


# ---- SPSS ------------------------------------------------------------------

def write_sav(layout: Layout, rows: Iterable[list], path: str, max_cells: int) -> int:
    """An SPSS file via pyreadstat, which needs the whole table as a
    DataFrame: numeric columns are gathered in compact float arrays (8 bytes
    a cell), text in lists, and the export is refused above ``max_cells``
    cells. Choice codes become numbers with value labels; dates are SPSS
    DATE variables, timestamps DATETIME."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    columns = layout.columns
    numeric = [c.kind in ("code", "flag", "number", "rank") or c.name in ("response_id", "duration_seconds")
               for c in columns]
    store: list = [array("d") if is_num else [] for is_num in numeric]
    codes = [c.spss_codes() if c.kind == "code" else None for c in columns]
    nan = float("nan")
    n = 0
    width = len(columns)
    for row in rows:
        n += 1
        if n * width > max_cells:
            raise TooManyCells(max_cells)
        for i in range(width):
            value = row[i]
            if numeric[i]:
                if value is None:
                    store[i].append(nan)
                elif codes[i] is not None:
                    store[i].append(codes[i].get(value, nan))
                else:
                    store[i].append(float(value))
            else:
                store[i].append(value)
    data = {}
    for i, column in enumerate(columns):
        if numeric[i]:
            data[column.name] = np.frombuffer(store[i], dtype="float64") if len(store[i]) else np.array([], "float64")
        elif column.kind == "date":
            data[column.name] = pd.Series([date.fromisoformat(v) if v else None for v in store[i]], dtype=object)
        elif column.name in ("started_at", "submitted_at"):
            data[column.name] = pd.to_datetime(pd.Series(store[i], dtype=object))
        else:
            data[column.name] = pd.Series(["" if v is None else v for v in store[i]], dtype=object)
        store[i] = None
    frame = pd.DataFrame(data)
    labels = {c.name: c.label for c in columns}
    value_labels = {c.name: {number: label[:120] for _code, number, label in c.codes}
                    for c in columns if c.codes}
    measure = {c.name: _measure(c) for c in columns}
    pyreadstat.write_sav(frame, path, column_labels=labels, variable_value_labels=value_labels,
                         variable_measure=measure)
    return n


def _measure(column: Column) -> str:
    if column.kind in ("number",) or column.name in ("response_id", "duration_seconds"):
        return "scale"
    if column.kind == "rank" or column.qtype in ("likert", "matrix"):
        return "ordinal"
    return "nominal"


class TooManyCells(ValueError):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def temporary_path(suffix: str) -> str:
    handle, path = tempfile.mkstemp(prefix="suara-export-", suffix=suffix)
    os.close(handle)
    return path
