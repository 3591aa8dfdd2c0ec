"""Answer sheets: every complete response's answers in one JSON text.

A sheet is the response's ``answers`` rows, as a JSON list of
``[question_id, option_id, item_id, value_num, value_text]``, made by the
database from those rows (so it holds exactly what they hold) and kept in
``answer_sheets``. The exports read one sheet per response instead of
pivoting ten or more long rows per response, which for a million
responses cost more than the 30 s an export may take (docs/benchmarks.md).

- Completing a response writes its sheet in the same transaction
  (services.py): one ``INSERT ... SELECT`` over the rows just written.
- Answers of a complete response never change, so a sheet never goes
  stale; deleting a response deletes its sheet (foreign key, cascade).
- Responses stored in bulk without the services (demo seeds, benchmark
  loads, rows from before migration 0008s) get theirs from ``fill()``
  (``flask surveys fill-sheets``); until then readers make the missing
  sheets on the fly with ``read()``, the same SQL, so an export is the same
  either way, only slower.

SQLite's JSON writes a real with 15 significant digits, which would change
numbers such as 0.30000000000000004; there the number goes in as text,
``printf('%!.17g')`` (17 digits: exact for doubles; plain ``%g`` stops at
16, and only values within a hair of the largest double, 1.8e308, come
back one step off), and ``number()`` reads both forms.
"""
from __future__ import annotations

import json

from sqlalchemy import Text, and_, bindparam, case, cast, exists, func, literal, null, select

from ..database import begin_write
from ..extensions import db
from .models import Answer, AnswerSheet, Response, ResponseStatus

A = Answer.__table__.c
R = Response.__table__.c
S = AnswerSheet.__table__.c
FILL_CHUNK = 20_000

decode = json.loads


def _sheet(dialect: str):
    """The aggregate making one response's sheet from its answer rows."""
    if dialect == "postgresql":
        # float8 becomes the shortest exact form in JSON (PostgreSQL 12+).
        return cast(func.json_agg(func.json_build_array(A.question_id, A.option_id, A.item_id, A.value_num,
                                                        A.value_text)), Text)
    exact = case((A.value_num.is_(None), null()), else_=func.printf(literal("%!.17g"), A.value_num))
    return func.json_group_array(func.json_array(A.question_id, A.option_id, A.item_id, exact, A.value_text))


def _select(dialect: str, *conditions):
    """(response id, sheet) for the responses meeting ``conditions``; a
    response without answers gets a sheet of one all-null entry."""
    return (select(R.id, _sheet(dialect))
            .select_from(R.id.table.outerjoin(A.response_id.table, A.response_id == R.id))
            .where(*conditions).group_by(R.id))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(dialect: str, source):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(AnswerSheet.__table__).from_select(["response_id", "answers"], source).on_conflict_do_nothing()


_STORE: dict[str, object] = {}


def store(response_id: int) -> None:
    """Write the sheet of a response completing in the caller's transaction
    (after its final answers are written). A sheet already there is kept."""
    dialect = _dialect()
    statement = _STORE.get(dialect)
    if statement is None:
        # Built once: making the statement (and its cache key) each time
        # cost more than running it, on the path every submission takes.
        statement = _STORE[dialect] = _insert(dialect, _select(dialect, R.id == bindparam("rid")))
    db.session.connection().execute(statement, {"rid": response_id})


def read(response_ids: list[int]) -> dict[int, str]:
    """Sheets made on the fly (nothing stored) for responses without one:
    partial responses, and complete ones not yet filled."""
    if not response_ids:
        return {}
    dialect = _dialect()
    return dict(db.session.execute(_select(dialect, R.id.in_(response_ids))).all())


def fill(survey_id: int | None = None, chunk: int = FILL_CHUNK) -> int:
    """Store the sheets of complete responses that have none (all surveys,
    or one), in chunks of ``chunk`` responses, one transaction each.
    Returns the number stored. Safe beside submissions and another fill:
    every insert skips a sheet that is already there."""
    dialect = _dialect()
    missing = [R.status == ResponseStatus.COMPLETE.value, ~exists().where(S.response_id == R.id)]
    if survey_id is not None:
        missing.append(R.survey_id == survey_id)
    stored, after = 0, 0
    while True:
        ids = db.session.execute(select(R.id).where(*missing, R.id > after).order_by(R.id).limit(chunk)) \
            .scalars().all()
        if not ids:
            db.session.commit()
            return stored
        try:
            begin_write(db.session)
            # The range, not a list of ids: a chunk stays one short statement.
            # RETURNING counts what was stored (psycopg gives no rowcount here).
            source = _select(dialect, *missing, and_(R.id >= ids[0], R.id <= ids[-1]))
            stored += len(db.session.execute(_insert(dialect, source).returning(S.response_id)).all())
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
