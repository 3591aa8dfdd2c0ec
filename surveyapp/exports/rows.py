"""Responses read in batches and assembled into one row per response.

Responses are read by keyset (``id > last ORDER BY id LIMIT batch``) and
the answers of each batch by a range on ``answers.response_id`` (indexed),
ordered by (response_id, question_id). Memory therefore depends on the batch
size, never on the number of responses, and no transaction or server-side
cursor stays open for the whole download. The export covers the responses
that existed when it started (ids up to the maximum seen then).
"""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import func, select

from ..analytics.filters import Filters
from ..analytics.queries import response_conditions
from ..extensions import db
from ..responses.models import Answer, Response
from .layout import Layout

BATCH = 5_000
META = (Response.id, Response.status, Response.channel, Response.language, Response.started_at,
        Response.submitted_at, Response.duration_seconds)


def count(survey_id: int, filters: Filters) -> int:
    return db.session.execute(
        select(func.count()).select_from(Response).where(*response_conditions(survey_id, filters))
    ).scalar_one()


def weights_for(survey, filters: Filters):
    """Hook for survey weights (raking, analytics): a mapping response id ->
    weight, or None while the survey has no weighting set up. Suara has no
    stored weighting yet, so this returns None and exports have no weight
    column; when analytics stores weights, only this function changes."""
    return None


def iter_rows(layout: Layout, survey_id: int, filters: Filters, batch: int = BATCH,
              weights=None, after: int = 0, response_id: int | None = None) -> Iterator[list]:
    """Rows of values in ``layout.columns`` order, one per response, in
    response-id order. Values: str, int, float, ISO date str, datetime or None."""
    conditions = response_conditions(survey_id, filters)
    if response_id is not None:
        conditions = [*conditions, Response.id == response_id]
    ceiling = db.session.execute(select(func.max(Response.id)).where(*conditions)).scalar()
    if ceiling is None:
        return
    width = len(layout.columns)
    meta_width = 8 if layout.weighted else 7
    handlers = layout.handlers
    question_ids = layout.question_ids
    last = after
    while True:
        # Core execution on the session's connection: plain rows without
        # the ORM's loading machinery (this loop is the export's hot path).
        connection = db.session.connection()
        metas = connection.execute(
            select(*META).where(*conditions, Response.id > last, Response.id <= ceiling)
            .order_by(Response.id).limit(batch)
        ).all()
        if not metas:
            return
        first, last = metas[0][0], metas[-1][0]
        # Only the response_id range in SQL: with a question_id filter the
        # planners may pick the (question_id, ...) indexes and scan every
        # answer of the survey for each batch. Other surveys' answers in the
        # range are skipped below (their question ids have no handler).
        answers = connection.execute(
            select(Answer.response_id, Answer.question_id, Answer.option_id, Answer.item_id,
                   Answer.value_num, Answer.value_text)
            .where(Answer.response_id >= first, Answer.response_id <= last)
            .order_by(Answer.response_id, Answer.id)
        ).all() if question_ids else []
        position = 0
        total = len(answers)
        for meta in metas:
            rid = meta[0]
            row = [None] * width
            row[:7] = meta
            if meta_width == 8:
                row[7] = weights.get(rid) if weights else None
            while position < total and answers[position][0] < rid:
                position += 1  # answers of responses the filter left out
            start = position
            while position < total and answers[position][0] == rid:
                position += 1
            if start != position:
                _place(row, answers, start, position, handlers)
            yield row


def _place(row: list, answers, start: int, stop: int, handlers: dict) -> None:
    for index in range(start, stop):
        _rid, qid, oid, iid, num, text = answers[index]
        handler = handlers.get(qid)
        if handler is None:
            continue
        kind = handler[0]
        if kind == "single":
            row[handler[1]] = handler[2].get(oid)
            if text is not None and handler[3] is not None:
                row[handler[3]] = text
        elif kind == "number":
            row[handler[1]] = _number(num)
        elif kind == "text" or kind == "date":
            row[handler[1]] = text
        elif kind == "multi":
            cols = handler[1]
            if row[handler[2][0]] is None:
                for col in handler[2]:
                    row[col] = 0
            if oid in cols:
                row[cols[oid]] = 1
            if text is not None and handler[3] is not None:
                row[handler[3]] = text
        elif kind == "matrix":
            col = handler[1].get(iid)
            if col is not None:
                row[col] = handler[2].get(oid)
        elif kind == "ranking":
            col = handler[1].get(oid)
            if col is not None:
                row[col] = _number(num)


def _number(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
