"""Answer sheets: every complete response's answers in one JSON text.

A sheet is the response's ``answers`` rows as a JSON list of
``[question_id, option_id, item_id, value_num, value_text]``, kept in
``responses.sheet``. The exports read one sheet per response instead of
pivoting ten or more long rows per response, which for a million
responses cost more than the 30 s an export may take (docs/benchmarks.md).

- Completing a response writes its sheet in the statement that completes
  it, so collection pays no extra statement (a separate table cost 17% of
  the answering POST's throughput on SQLite): a one-page response is
  inserted complete with the sheet made here from the rows being inserted
  (``from_rows``); a later page completes it with an ``UPDATE`` whose
  ``sheet`` is a subquery over the stored rows (``completing_value``).
- Answers of a complete response never change, so a sheet never goes
  stale.
- Responses stored in bulk without the services (demo seeds, benchmark
  loads, rows from before migration 0008s) get theirs from ``fill()``
  (``flask surveys fill-sheets``); until then readers make the missing
  sheets on the fly with ``read()``, so an export is the same either way,
  only slower.

Numbers must come back exact. Python's JSON writes floats in their
shortest exact form, and so does PostgreSQL's for ``float8``. SQLite's
JSON writes reals with 15 significant digits, which would change numbers
such as 0.30000000000000004, so there the database writes the number as
text with ``printf('%!.17g')`` (17 digits: exact for doubles; plain ``%g``
stops at 16, and only values within a hair of the largest double, 1.8e308,
come back one step off); ``number()`` reads every form.
"""

from __future__ import annotations

import json

from sqlalchemy import Text, and_, case, cast, func, literal, null, select, update

from ..database import begin_write
from ..extensions import db
from .models import Answer, Response, ResponseStatus

A = Answer.__table__.c
R = Response.__table__.c
FILL_CHUNK = 20_000

decode = json.loads


def from_rows(rows: list[dict]) -> str:
    """The sheet of answer rows about to be inserted (dicts with the
    ``answers`` column names)."""
    return json.dumps(
        [
            [r["question_id"], r.get("option_id"), r.get("item_id"), r.get("value_num"), r.get("value_text")]
            for r in rows
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _aggregate(dialect: str):
    """The aggregate making a sheet from a response's answer rows."""
    if dialect == "postgresql":
        return cast(
            func.json_agg(func.json_build_array(A.question_id, A.option_id, A.item_id, A.value_num, A.value_text)), Text
        )
    exact = case((A.value_num.is_(None), null()), else_=func.printf(literal("%!.17g"), A.value_num))
    return func.json_group_array(func.json_array(A.question_id, A.option_id, A.item_id, exact, A.value_text))


def _of_response(dialect: str):
    """A scalar subquery: the sheet of the ``responses`` row in the
    enclosing statement ("[]" without answers)."""
    return func.coalesce(select(_aggregate(dialect)).where(A.response_id == R.id).scalar_subquery(), literal("[]"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def completing_value():
    """The value of ``responses.sheet`` in the UPDATE that completes a
    response whose final answers are stored."""
    return _of_response(_dialect())


def read(response_ids: list[int]) -> dict[int, str]:
    """Sheets made on the fly (nothing stored) for responses without one:
    partial responses, and complete ones not yet filled."""
    if not response_ids:
        return {}
    statement = select(R.id, _of_response(_dialect())).where(R.id.in_(response_ids))
    return dict(db.session.execute(statement).all())


def fill(survey_id: int | None = None, chunk: int = FILL_CHUNK, unfolded_only: bool = False) -> int:
    """Store the sheets of complete responses that have none (all surveys,
    or one), in chunks of ``chunk`` responses, one transaction each.
    Returns the number stored. Safe beside submissions and another fill:
    only rows still without a sheet are written. ``unfolded_only`` looks
    only at responses not yet folded into the tally (the completion job:
    the partial index keeps that read proportional to the backlog)."""
    missing = [R.status == ResponseStatus.COMPLETE.value, R.sheet.is_(None)]
    if survey_id is not None:
        missing.append(R.survey_id == survey_id)
    if unfolded_only:
        missing.append(R.tally_batch.is_(None))
    stored, after = 0, 0
    while True:
        ids = db.session.execute(select(R.id).where(*missing, R.id > after).order_by(R.id).limit(chunk)).scalars().all()
        if not ids:
            db.session.commit()
            return stored
        try:
            begin_write(db.session)
            # The range, not a list of ids: a chunk stays one short statement.
            # RETURNING counts the rows (psycopg gives no rowcount here).
            statement = (
                update(Response.__table__)
                .where(*missing, and_(R.id >= ids[0], R.id <= ids[-1]))
                .values(sheet=_of_response(_dialect()))
                .returning(R.id)
            )
            stored += len(db.session.execute(statement).all())
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        after = ids[-1]


def number(value):
    """A sheet's number as the exports print it: whole numbers as int."""
    if value is None:
        return None
    if value.__class__ is str:
        value = float(value)
    if value.__class__ is float and value.is_integer():
        return int(value)
    return value
