"""Responses read in batches, one wide row per response, from their
answer sheets.

Each batch is one statement: the next responses by keyset
(``id > last ORDER BY id LIMIT batch``) with their answer sheet
(``responses.sheet``, responses/sheets.py: the response's answer rows in
one JSON text, stored when it completed). Python spreads each sheet over the layout's columns
(``Assembler``). Responses without a stored sheet (partial ones, or bulk
loads not yet filled) get theirs made by the database for that batch,
from the same SQL, so the rows are the same either way.

Memory depends on the batch size, never on the number of responses, and
no transaction or server-side cursor stays open for the whole download.
The export covers the responses that existed when it started (ids up to
the maximum seen then).

Why not pivot in SQL: a GROUP BY per response with one aggregate per
column over ten or more answer rows per response took 36-42 s for a
million responses, and only reading those long rows took as long; a
million sheets are one short row each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import bindparam, func, select

from ..analytics.filters import Filters
from ..analytics.queries import response_conditions
from ..extensions import db
from ..responses import sheets
from ..responses.models import Response
from .cells import FORMULA_STARTS, iso_time, neutralise
from .layout import Layout
from .weights import ExportWeights

BATCH = 5_000
# raw_decode: json.loads without its wrapper and trailing-space check.
_decode = json.JSONDecoder().raw_decode
META = ("id", "status", "channel", "language", "started_at", "submitted_at", "duration_seconds")


def count(survey_id: int, filters: Filters) -> int:
    return db.session.execute(
        select(func.count()).select_from(Response).where(*response_conditions(survey_id, filters))
    ).scalar_one()


class Assembler:
    """Turns rows of (meta values..., sheet) into rows in the layout's
    column order (``rows()``).

    Values: an option code per single choice or matrix row; per multiple-choice option 1 (chosen), 0 (answered without
    it) or None (not answered); ranks and numbers as int when whole; text
    and ISO date text. ``ready`` (CSV): codes, text and the metadata text
    are neutralised against formula injection (times come as ISO text from
    the query)."""

    def __init__(self, layout: Layout, ready: bool, weights: ExportWeights | None):
        self.width = len(layout.columns)
        self.meta = len(META)
        self.ready = ready
        self.weights = weights
        self.weight_ids = frozenset(weights.question_ids) if weights else frozenset()
        safe = neutralise if ready else (lambda value: value)
        handlers = {}
        for qid, handler in layout.handlers.items():
            kind = handler[0]
            if kind == "single":
                _k, col, by_id, other = handler
                handlers[qid] = (kind, col, {oid: safe(code) for oid, code in by_id.items()}, other)
            elif kind == "grid":
                _k, cols, by_id = handler
                handlers[qid] = (kind, cols, {oid: safe(code) for oid, code in by_id.items()})
            else:
                handlers[qid] = handler
        self.handlers = handlers

    def rows(self, batch: list, made: dict[int, str]) -> list[list]:
        """The rows of a batch of (meta values..., stored sheet); ``made``
        holds the sheets made on the fly for rows without one. One call per
        batch, with the loop written out: this is the export's hot path."""
        width, meta, ready, handlers = self.width, self.meta, self.ready, self.handlers
        weights, weight_ids = self.weights, self.weight_ids
        decode, starts, out = _decode, FORMULA_STARTS, []
        for row in batch:
            cells = [None] * width
            cells[:meta] = row[:meta]
            if ready:  # status, channel, language: fixed words, checked all the same
                for i in (1, 2, 3):
                    value = cells[i]
                    if value and value.startswith(starts):
                        cells[i] = "'" + value
            sheet = row[meta] or made.get(row[0])
            chosen = {} if weights is not None else None
            for qid, oid, iid, num, text in decode(sheet)[0] if sheet else ():
                handler = handlers.get(qid)
                if handler is None:
                    continue
                if chosen is not None and oid is not None and qid in weight_ids:
                    chosen[qid] = max(oid, chosen.get(qid, oid))  # the weighting cell: the option chosen
                if num is not None:  # sheets.number(), written out
                    if num.__class__ is str:
                        num = float(num)
                    if num.__class__ is float and num.is_integer():
                        num = int(num)
                if ready and text and text.startswith(starts):
                    text = "'" + text
                kind = handler[0]
                if kind == "single":
                    cells[handler[1]] = handler[2].get(oid)
                    if handler[3] is not None and text is not None:
                        cells[handler[3]] = text
                elif kind == "number":
                    cells[handler[1]] = num
                elif kind == "multi":
                    all_cols = handler[2]
                    if all_cols and cells[all_cols[0]] is None:
                        for col in all_cols:
                            cells[col] = 0
                    col = handler[1].get(oid)
                    if col is not None:
                        cells[col] = 1
                    if handler[3] is not None and text is not None:
                        cells[handler[3]] = text
                elif kind == "text":
                    cells[handler[1]] = text
                elif kind == "grid":
                    col = handler[1].get(iid)
                    if col is not None:
                        cells[col] = handler[2].get(oid)
                elif kind == "ranks":
                    col = handler[1].get(oid)
                    if col is not None:
                        cells[col] = num
                else:  # date: ISO text (never a formula, so the check above left it alone)
                    cells[handler[1]] = text
            if chosen is not None:
                cell = tuple(chosen.get(qid) for qid in weights.question_ids)
                cells[meta] = weights.by_options.get(cell, weights.unplaced)
            out.append(cells)
        return out


def iter_batches(
    layout: Layout,
    survey_id: int,
    filters: Filters,
    batch: int = BATCH,
    weights: ExportWeights | None = None,
    after: int = 0,
    response_id: int | None = None,
    ready: bool = False,
) -> Iterator[list]:
    """Lists of rows (lists) in ``layout.columns`` order, one row per
    response, in response-id order.

    Values: str, int, float, ISO date str, datetime or None; with
    ``ready=True`` they are as the CSV writer prints them: times are ISO
    text, codes and free text are neutralised. ``weights`` fills the weight
    column of a weighted layout."""
    if layout.weighted and weights is None:
        raise ValueError("a weighted layout needs weights")
    conditions = response_conditions(survey_id, filters)
    if response_id is not None:
        conditions = [*conditions, Response.id == response_id]
    ceiling = db.session.execute(select(func.max(Response.id)).where(*conditions)).scalar()
    if ceiling is None:
        return
    dialect = db.session.get_bind().dialect.name
    # Table columns, not ORM attributes: plain rows, without the ORM's
    # per-row work (a tenth of the time for a million rows).
    R = Response.__table__.c
    meta = [R[name] for name in META]
    if ready:
        meta[4], meta[5] = iso_time(R.started_at, dialect), iso_time(R.submitted_at, dialect)
    query = (
        select(*meta, R.sheet)
        .where(*conditions, R.id > bindparam("after"), R.id <= ceiling)
        .order_by(R.id)
        .limit(batch)
    )
    assembler = Assembler(layout, ready, weights if layout.weighted else None)
    at_sheet = len(META)
    last = after
    while True:
        # On the session's connection: Core rows, not the ORM's result.
        rows = db.session.connection().execute(query, {"after": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        yield assembler.rows(rows, sheets.read([row[0] for row in rows if row[at_sheet] is None]))


def iter_rows(
    layout: Layout,
    survey_id: int,
    filters: Filters,
    batch: int = BATCH,
    weights: ExportWeights | None = None,
    after: int = 0,
    response_id: int | None = None,
) -> Iterator[list]:
    """Rows (lists) in ``layout.columns`` order, one per response, in
    response-id order. Values: str, int, float, ISO date str, datetime or None."""
    for rows in iter_batches(layout, survey_id, filters, batch, weights, after, response_id):
        yield from rows
