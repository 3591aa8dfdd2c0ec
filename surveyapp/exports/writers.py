"""Writers for each export format, fed by rows.iter_rows / iter_batches.

Every format is a generator of chunks, streamed as they are made: CSV and
JSON lines as text, SPSS .sav (sav.py) and XLSX (xlsx.py) as bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from . import sav, xlsx
from .cells import FORMULA_STARTS, neutralise  # noqa: F401  (FORMULA_STARTS: part of this module's interface)
from .layout import Layout

CHUNK_ROWS = 500
XLSX_MAX_ROWS = xlsx.MAX_ROWS


def _iso(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value


# ---- CSV -------------------------------------------------------------------


def csv_chunks(layout: Layout, batches: Iterable[list], bom: bool = False) -> Iterator[str]:
    """CSV text, one chunk per batch. ``batches`` come from
    ``rows.iter_batches(..., ready=True)``: times are ISO text already and
    codes and free text are neutralised (rows.py), so each batch goes to
    csv.writer as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([neutralise(name) for name in layout.names])
    for rows in batches:
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def codebook_rows(layout: Layout) -> Iterator[list]:
    yield ["variable", "label", "type", "question", "question_text", "values", "spss_values", "retired"]
    for column in layout.columns:
        values = "; ".join(f"{code} = {label}" for code, _n, label in column.codes)
        spss = "; ".join(f"{_fmt(number)} = {label}" for _c, number, label in column.codes)
        yield [
            column.name,
            column.label,
            column.kind,
            column.question_code or "",
            column.question_text,
            values,
            spss,
            "yes" if column.retired else "",
        ]


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
        shape = (
            "list"
            if column.kind == "flag"
            else "dict"
            if column.kind == "rank"
            or (column.question_type is not None and column.question_type.export_shape == "grid")
            else "value"
        )
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


def xlsx_chunks(layout: Layout, batches: Iterable[list], expected_rows: int = 0) -> Iterator[bytes]:
    """The workbook as byte chunks, streamed as it is written (xlsx.py):
    responses on the first sheet, the codebook on the second. ``batches``
    come from ``rows.iter_batches(..., ready=True)`` (codes and text
    neutralised, times as ISO text, which become Excel date-times here)."""
    from flask_babel import gettext as _

    rows = (row for batch in batches for row in batch)
    times = [i for i, c in enumerate(layout.columns) if c.name in ("started_at", "submitted_at") and c.kind == "meta"]
    return xlsx.workbook_chunks(
        [neutralise(name) for name in layout.names],
        rows,
        ([neutralise(v) for v in row] for row in codebook_rows(layout)),
        date_columns=[i for i, c in enumerate(layout.columns) if c.kind == "date"],
        time_columns=times,
        expected_cells=expected_rows * len(layout.columns),
        too_many_note=_(
            "More responses than a spreadsheet holds arrived during this download; "
            "the rest are not in this file. Download CSV for all of them."
        ),
    )


def write_xlsx(layout: Layout, batches: Iterable[list], path: str) -> int:
    """Write the workbook to ``path``; returns the number of response rows."""
    count = 0

    def counted():
        nonlocal count
        for batch in batches:
            count += len(batch)
            yield batch

    with open(path, "wb") as handle:
        for chunk in xlsx_chunks(layout, counted()):
            handle.write(chunk)
    return min(count, XLSX_MAX_ROWS)


# ---- SPSS ------------------------------------------------------------------


def write_sav(layout: Layout, rows: Iterable[list], path, widths: dict[str, int], label: str = "") -> int:
    """An SPSS file written as it streams (surveyapp/exports/sav.py): memory
    stays flat however many rows come. ``widths`` are the string widths from
    ``sav.string_widths``. Choice codes become numbers with value labels;
    dates are SPSS DATE variables, timestamps DATETIME. Returns the number of
    rows."""
    return sav.write_file(layout, rows, path, widths, label=label)
