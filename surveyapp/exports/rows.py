"""Responses read in batches, one wide row per response, pivoted in SQL.

Each batch is one statement (pivot.batch_query): the next responses by
keyset (``id > last ORDER BY id LIMIT batch``) joined to their answers on
the indexed ``answers.response_id`` and grouped per response, so the
database sends one finished row per response instead of one per answer.
Memory therefore depends on the batch size, never on the number of
responses, and no transaction or server-side cursor stays open for the
whole download. The export covers the responses that existed when it
started (ids up to the maximum seen then).
"""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import bindparam, func, select

from ..analytics.filters import Filters
from ..analytics.queries import response_conditions
from ..extensions import db
from ..responses.models import Answer, Response
from . import pivot
from .layout import Layout
from .weights import ExportWeights

BATCH = 5_000


def count(survey_id: int, filters: Filters) -> int:
    return db.session.execute(
        select(func.count()).select_from(Response).where(*response_conditions(survey_id, filters))
    ).scalar_one()


def iter_batches(layout: Layout, survey_id: int, filters: Filters, batch: int = BATCH,
                 weights: ExportWeights | None = None, after: int = 0, response_id: int | None = None,
                 ready: bool = False) -> Iterator[list]:
    """Lists of rows (tuples or lists) in ``layout.columns`` order, one row
    per response, in response-id order.

    Values: str, int, float, ISO date str, datetime or None; with
    ``ready=True`` they are as the CSV writer prints them (pivot.py): times
    are ISO text, codes and free text are neutralised, whole numbers are
    whole. ``weights`` fills the weight column of a weighted layout."""
    if layout.weighted and weights is None:
        raise ValueError("a weighted layout needs weights")
    conditions = response_conditions(survey_id, filters)
    if response_id is not None:
        conditions = [*conditions, Response.id == response_id]
    ceiling = db.session.execute(select(func.max(Response.id)).where(*conditions)).scalar()
    if ceiling is None:
        return
    dialect = db.session.get_bind().dialect.name
    numbers = pivot.number_columns(layout)
    numbers_in_sql = ready and not _beyond_exact(layout)
    cells = []
    if layout.weighted:
        # The option chosen for each weighting dimension, after the columns:
        # the key of the response's raking cell.
        cells = [pivot.aggregate(pivot.A.option_id, pivot.A.question_id == pivot._id(qid))
                 for qid in weights.question_ids]
    n_cells = len(cells)
    main, extra = pivot.batch_query(layout, conditions, ceiling, batch, dialect, ready, numbers_in_sql, cells)
    n_extra = sum(len(statement.selected_columns) - 1 for statement in extra)
    convert = numbers and not numbers_in_sql
    meta_width = len(pivot.META)
    last = after
    while True:
        connection = db.session.connection()
        rows = connection.execute(main, {"after": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        if extra:
            rows = _join_extra(connection, extra, rows, n_extra)
        if n_cells:
            by_cell, unplaced = weights.by_options, weights.unplaced
            rows = [(*row[:meta_width], by_cell.get(tuple(row[-n_cells:]), unplaced), *row[meta_width:-n_cells])
                    for row in rows]
        if convert:
            rows = [_whole_numbers(row, numbers) for row in rows]
        yield rows


def _beyond_exact(layout: Layout) -> bool:
    """Whether a number or rank answer is too large for pivot.whole_number
    (one probe on the (question_id, value_num) index)."""
    qids = [qid for qid, handler in layout.handlers.items() if handler[0] in ("number", "ranking")]
    if not qids:
        return False
    limit = pivot.EXACT_LIMIT
    # Two one-sided probes: each is a range on the index, where an OR could
    # make a planner scan every answer of these questions.
    return any(db.session.execute(select(Answer.id).where(Answer.question_id.in_(qids), bound).limit(1)).first()
               is not None for bound in (Answer.value_num >= limit, Answer.value_num <= -limit))


def _join_extra(connection, statements: list, rows: list, width: int) -> list:
    """Append the columns of the extra statements (very wide surveys) to
    each row, matched on response id."""
    params = {"first": rows[0][0], "last": rows[-1][0]}
    parts = [connection.execute(statement, params).all() for statement in statements]
    by_id = {pieces[0][0]: tuple(value for piece in pieces for value in piece[1:]) for pieces in zip(*parts)}
    empty = (None,) * width
    return [(*row, *by_id.get(row[0], empty)) for row in rows]


def _whole_numbers(row, columns: list[int]) -> list:
    row = list(row)
    for i in columns:
        value = row[i]
        if value is not None and float(value).is_integer():
            row[i] = int(value)
    return row


def iter_rows(layout: Layout, survey_id: int, filters: Filters, batch: int = BATCH,
              weights: ExportWeights | None = None, after: int = 0, response_id: int | None = None) -> Iterator[list]:
    """Rows (lists) in ``layout.columns`` order, one per response, in
    response-id order. Values: str, int, float, ISO date str, datetime or None."""
    for rows in iter_batches(layout, survey_id, filters, batch, weights, after, response_id):
        for row in rows:
            yield row if row.__class__ is list else list(row)
