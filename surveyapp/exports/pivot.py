"""The SQL that turns the long ``answers`` table into one wide row per
response, in the layout's column order.

Reading ten or more long rows per response into Python was the export's
cost (a bare cursor over them alone took 61 s for 1M responses on SQLite),
so the database does the pivot: one ``GROUP BY responses.id`` over a batch
of responses joined to their answers, with one
``MAX(..) FILTER (WHERE question_id = ..)`` per column. Option ids become
option codes in a CASE, a multiple
choice flag is 1 / 0 / NULL (chosen / answered without it / not answered),
exactly the values the Python assembly used to make.

``ready=True`` asks for the values as the CSV writer prints them: option
codes and free text already neutralised against formula injection (codes
are known when the layout is built, so they are neutralised in Python
once; text with a CASE on its first character), and times as ISO text.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, func, literal, literal_column, select

from ..responses.models import Answer, Response
from .layout import Layout

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Aggregates per statement: SQLite allows 2,000 result columns and
# PostgreSQL 1,664; very wide surveys are split over several statements.
MAX_AGGREGATES = 1_000

A = Answer.__table__.c
R = Response.__table__.c


def neutralise(value):
    """A string a spreadsheet would run as a formula gets an apostrophe in
    front (OWASP "CSV injection"). Numbers Suara formats itself are safe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _id(value: int):
    # Ids are integers from the layout, so they are written into the SQL
    # as literals: a survey with many options then stays far below the
    # databases' limits on bound parameters.
    return literal_column(str(int(value)), Integer)


def _neutralised_sql(expression):
    first = func.substr(expression, 1, 1)
    return case((first.in_([literal(c, String) for c in FORMULA_STARTS]), literal("'", String) + expression),
                else_=expression)


def _codes(by_id: dict[int, str], ready: bool):
    """CASE option_id WHEN <id> THEN <code> ... END (NULL for an unknown id);
    ``ready`` codes are neutralised here, once, rather than per row."""
    if not by_id:
        return literal(None, String)
    return case(*[(A.option_id == _id(oid), literal(neutralise(code) if ready else code, String))
                  for oid, code in by_id.items()])


def aggregate(value, condition):
    """MAX(value) over the answer rows meeting ``condition``. FILTER rather
    than MAX(CASE ...): PostgreSQL then skips the other rows' aggregate
    steps (about a third faster there; the same on SQLite, 3.30+)."""
    return func.max(value).filter(condition)


def _question(qid: int, *more):
    condition = A.question_id == _id(qid)
    for extra in more:
        condition = condition & extra
    return condition


def answer_columns(layout: Layout, ready: bool) -> list[tuple[int, object, str | None]]:
    """(column index, aggregate, finish) for every question column, in
    column order; ``finish`` ("text", "number" or None) is the formatting a
    ready export applies to the aggregate's value (see _finish)."""
    out: list[tuple[int, object, str | None]] = []

    def pick(qid, value, *more):
        return aggregate(value, _question(qid, *more))

    for qid, handler in layout.handlers.items():
        kind = handler[0]
        if kind == "single":
            _kind, col, by_id, other = handler
            out.append((col, pick(qid, _codes(by_id, ready)), None))
            if other is not None:
                out.append((other, pick(qid, A.value_text), "text"))
        elif kind == "multi":
            _kind, cols, _order, other = handler
            for oid, col in cols.items():
                flag = case((A.option_id == _id(oid), literal_column("1", Integer)), else_=literal_column("0", Integer))
                out.append((col, pick(qid, flag), None))
            if other is not None:
                out.append((other, pick(qid, A.value_text), "text"))
        elif kind == "matrix":
            _kind, cols, by_id = handler
            for iid, col in cols.items():
                out.append((col, pick(qid, _codes(by_id, ready), A.item_id == _id(iid)), None))
        elif kind == "ranking":
            for oid, col in handler[1].items():
                out.append((col, pick(qid, A.value_num, A.option_id == _id(oid)), "number"))
        elif kind == "number":
            out.append((handler[1], pick(qid, A.value_num), "number"))
        elif kind == "text":
            out.append((handler[1], pick(qid, A.value_text), "text"))
        else:  # date: ISO text, never a formula
            out.append((handler[1], pick(qid, A.value_text), None))
    out.sort(key=lambda triple: triple[0])
    return out


META = ("id", "status", "channel", "language", "started_at", "submitted_at", "duration_seconds")
META_FINISH = (None, "text", "text", "text", "time", "time", None)


def batch_query(layout: Layout, conditions: list, ceiling: int, batch: int, dialect: str, ready: bool,
                numbers_in_sql: bool, cells: list) -> tuple[object, list]:
    """The statement that gives one batch of whole rows (bound parameter
    ``after``: the last response id of the previous batch), and the
    statements for the columns beyond MAX_AGGREGATES (very wide surveys).
    ``cells`` are extra aggregates put last (the weighting cell).

    The inner SELECT takes the batch of responses by keyset, joins each to
    its answers (answers.response_id is indexed) and groups them; GROUP BY
    the primary key lets PostgreSQL select the other response columns. The
    outer SELECT only formats (ready exports), so that no database computes
    an aggregate once per reference to it."""
    from sqlalchemy import bindparam

    pairs = [(aggregate, finish) for _i, aggregate, finish in answer_columns(layout, ready)]
    pairs += [(cell, None) for cell in cells]
    first, rest = pairs[:MAX_AGGREGATES], pairs[MAX_AGGREGATES:]
    meta = [getattr(R, name) for name in META]
    # The range on answers.response_id repeats the keyset so that a merge
    # join (PostgreSQL) starts its index scan at the batch, not at the
    # first answer of the table.
    on = and_(A.response_id == R.id, A.response_id > bindparam("after"), A.response_id <= ceiling)
    source = R.id.table.outerjoin(A.response_id.table, on) if first else R.id.table
    inner = (select(*[c.label(f"c{i}") for i, c in enumerate(meta + [a for a, _f in first])]).select_from(source)
             .where(*conditions, R.id > bindparam("after"), R.id <= ceiling)
             .group_by(R.id).order_by(R.id).limit(batch).subquery("batch"))
    finishes = list(META_FINISH) + [f for _a, f in first]
    columns = [_finish(column, finish, dialect, ready, numbers_in_sql) for column, finish in zip(inner.c, finishes)]
    extra = answer_statements([_finish(a, f, dialect, ready, numbers_in_sql) for a, f in rest])
    return select(*columns).order_by(inner.c.c0), extra


def _finish(column, finish: str | None, dialect: str, ready: bool, numbers_in_sql: bool):
    if not ready or finish is None:
        return column
    if finish == "text":
        return _neutralised_sql(column)
    if finish == "time":
        return iso_time(column, dialect)
    return whole_number(column, dialect) if numbers_in_sql else column


# Above this size the SQL below no longer prints numbers exactly as Python
# (int64 overflow on SQLite, exponent notation on PostgreSQL); exports.rows
# checks the survey's answers first and then converts in Python instead.
EXACT_LIMIT = 1e15


def whole_number(expression, dialect: str):
    """A number as Python prints ``int(v) if v.is_integer() else v``: 42.0
    becomes 42, 2.5 stays 2.5 (for |v| < EXACT_LIMIT)."""
    if dialect == "postgresql":
        # float8 -> text is the shortest exact form (PostgreSQL 12+), as repr().
        return case((expression == func.trunc(expression),
                     cast(cast(expression, BigInteger), String)), else_=cast(expression, String))
    # SQLite is dynamically typed: the CASE returns an integer or a real.
    return case((expression == cast(expression, Integer), cast(expression, Integer)), else_=expression)


def number_columns(layout: Layout) -> list[int]:
    """Columns holding ``value_num``: whole numbers are written as ints."""
    cols = []
    for handler in layout.handlers.values():
        if handler[0] == "number":
            cols.append(handler[1])
        elif handler[0] == "ranking":
            cols.extend(handler[1].values())
    return sorted(cols)


def answer_statements(aggregates: list) -> list:
    """SELECT response_id, <aggregates> FROM answers WHERE response_id in
    [:first, :last] GROUP BY response_id ORDER BY response_id, in groups of
    MAX_AGGREGATES: the columns of very wide surveys beyond the main
    statement's, all returning the same response ids in the same order."""
    from sqlalchemy import bindparam

    statements = []
    for i in range(0, len(aggregates), MAX_AGGREGATES):
        # Only the response_id range in SQL: with a question_id filter the
        # planners may pick the (question_id, ...) indexes and scan every
        # answer of the survey for each batch.
        statements.append(
            select(A.response_id, *aggregates[i:i + MAX_AGGREGATES])
            .where(A.response_id >= bindparam("first"), A.response_id <= bindparam("last"))
            .group_by(A.response_id).order_by(A.response_id))
    return statements


def iso_time(column, dialect: str):
    """A naive UTC timestamp as ISO 8601 with ``Z``, whole seconds (what
    ``datetime.replace(microsecond=0).isoformat() + "Z"`` gives)."""
    if dialect == "postgresql":
        return func.to_char(column, literal('YYYY-MM-DD"T"HH24:MI:SS"Z"', String))
    return func.strftime(literal("%Y-%m-%dT%H:%M:%SZ", String), column)
