"""The read layer of results: every SQL aggregation a summary needs, and
nothing else. Each function returns plain numbers (counts, sums,
value/count tables), never ORM objects, and works on SQLite and PostgreSQL.

A summary runs a handful of these per survey (one per question family, not
one per question or per response), so its cost grows with the number of
answer rows scanned inside the database, not with Python work per response.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Date, and_, case, cast, distinct, func, literal_column, select, text

from ..collect.models import SurveyInvitation
from ..extensions import db
from ..responses.models import Answer, Response
from .filters import Filters

# A number question whose answers take more distinct values than this is
# summarised from 1,000 equal-width bins instead of exact values, so memory
# stays bounded however many responses arrive.
MAX_DISTINCT_VALUES = 20_000
BINS = 1_000


def _dialect() -> str:
    return db.engine.dialect.name


def response_time():
    """When a response happened: submission, or start for partial ones."""
    return func.coalesce(Response.submitted_at, Response.started_at)


def response_conditions(survey_id: int, filters: Filters) -> list:
    """WHERE clauses on ``responses`` for a survey and a filter."""
    clauses = [Response.survey_id == survey_id, Response.status.in_(filters.statuses)]
    start, end = filters.utc_bounds()
    if start is not None:
        clauses.append(response_time() >= start)
    if end is not None:
        clauses.append(response_time() < end)
    if filters.channels:
        clauses.append(Response.channel.in_(filters.channels))
    if filters.languages:
        clauses.append(Response.language.in_(filters.languages))
    for question_id, option_ids in filters.answers:
        # Semi-join per filtered question: uses ix_answers_question_option.
        clauses.append(
            Response.id.in_(
                select(Answer.response_id).where(Answer.question_id == question_id, Answer.option_id.in_(option_ids))
            )
        )
    return clauses


class Scope:
    """How answer queries restrict to the responses of a view.

    When the view is the whole survey and every response of the survey has
    a status the view includes, the join to ``responses`` is dropped: the
    answers of a survey's questions are then exactly the view's answers, and
    the GROUP BY runs on the answers indexes alone.
    """

    def __init__(self, survey_id: int, filters: Filters, needs_join: bool = True):
        self.survey_id = survey_id
        self.filters = filters
        self.needs_join = needs_join

    def apply(self, query):
        if not self.needs_join:
            return query
        return query.join(Response, Response.id == Answer.response_id).where(
            *response_conditions(self.survey_id, self.filters)
        )


def cache_key(survey_id: int) -> tuple:
    """Changes whenever a response is added, removed, or completed. Counts
    every response of the survey: cache.state_key uses tally.cache_key,
    which costs the same at any size."""
    row = db.session.execute(
        select(
            func.count(),
            func.max(Response.id),
            func.max(Response.submitted_at),
            func.sum(case((Response.status == "complete", 1), else_=0)),
        ).where(Response.survey_id == survey_id)
    ).one()
    return tuple(str(v) if isinstance(v, datetime) else v for v in row)


def status_counts(survey_id: int, filters: Filters, breakoff_before: datetime) -> dict:
    """Responses per status in the view (ignoring its status filter), plus
    break-offs: partial responses started before ``breakoff_before``."""
    unfiltered_status = Filters(
        statuses=("complete", "partial"),
        date_from=filters.date_from,
        date_to=filters.date_to,
        channels=filters.channels,
        languages=filters.languages,
        answers=filters.answers,
        timezone=filters.timezone,
    )
    rows = db.session.execute(
        select(Response.status, func.count(), func.sum(case((Response.started_at < breakoff_before, 1), else_=0)))
        .where(*response_conditions(survey_id, unfiltered_status))
        .group_by(Response.status)
    ).all()
    counts = {status: int(n) for status, n, _old in rows}
    old_partials = next((int(old or 0) for status, _n, old in rows if status == "partial"), 0)
    return {"by_status": counts, "breakoffs": old_partials}


def survey_status_counts(survey_id: int) -> dict[str, int]:
    """Responses per status over the whole survey (decides the Scope)."""
    rows = db.session.execute(
        select(Response.status, func.count()).where(Response.survey_id == survey_id).group_by(Response.status)
    ).all()
    return {status: int(n) for status, n in rows}


def invitation_counts(survey_id: int) -> dict[str, int]:
    """Invited, completed and started-but-not-completed personal invitations."""
    invited, completed, partial = db.session.execute(
        select(
            func.count(),
            func.sum(case((SurveyInvitation.completed_at.is_not(None), 1), else_=0)),
            func.sum(
                case(
                    (and_(SurveyInvitation.completed_at.is_(None), SurveyInvitation.started_at.is_not(None)), 1),
                    else_=0,
                )
            ),
        ).where(SurveyInvitation.survey_id == survey_id)
    ).one()
    return {"invited": int(invited or 0), "completed": int(completed or 0), "partial": int(partial or 0)}


def duration_table(survey_id: int, filters: Filters) -> dict[float, int]:
    """{duration in seconds: responses} for the view."""
    rows = db.session.execute(
        select(Response.duration_seconds, func.count())
        .where(*response_conditions(survey_id, filters), Response.duration_seconds.is_not(None))
        .group_by(Response.duration_seconds)
    ).all()
    return {float(v): int(n) for v, n in rows if v is not None}  # NULLs are excluded above


def _local_day(offset_minutes: int):
    # The offset is an integer we computed, never user input.
    offset = int(offset_minutes)
    if _dialect() == "sqlite":
        return func.date(response_time(), f"{offset:+d} minutes")
    return cast(response_time() + literal_column(f"interval '{offset} minutes'"), Date)


def day_channel_language_counts(
    survey_id: int, filters: Filters, offset_minutes: int
) -> list[tuple[str, str, str, int]]:
    """[(local ISO day, channel, language, responses)]: one scan of
    ``responses`` for the time series and the channel and language splits."""
    day = _local_day(offset_minutes).label("day")
    rows = db.session.execute(
        select(day, Response.channel, Response.language, func.count())
        .where(*response_conditions(survey_id, filters))
        .group_by(day, Response.channel, Response.language)
    ).all()
    return [(str(d), c, lang, int(n)) for d, c, lang, n in rows]


def option_counts(scope: Scope, question_ids: list[int]) -> list[tuple]:
    """(question_id, item_id, option_id, answers) for option-based questions
    (choice, multi, Likert, matrix cells). Only indexed columns are read, so
    the GROUP BY is served by ix_answers_question_item_option alone."""
    if not question_ids:
        return []
    query = select(Answer.question_id, Answer.item_id, Answer.option_id, func.count()).where(
        Answer.question_id.in_(question_ids), Answer.option_id.is_not(None)
    )
    query = scope.apply(query).group_by(Answer.question_id, Answer.item_id, Answer.option_id)
    return [tuple(row) for row in db.session.execute(query)]


def rank_counts(scope: Scope, question_ids: list[int]) -> list[tuple]:
    """(question_id, option_id, rank, answers) for ranking questions."""
    if not question_ids:
        return []
    query = select(Answer.question_id, Answer.option_id, Answer.value_num, func.count()).where(
        Answer.question_id.in_(question_ids), Answer.option_id.is_not(None), Answer.value_num.is_not(None)
    )
    query = scope.apply(query).group_by(Answer.question_id, Answer.option_id, Answer.value_num)
    return [tuple(row) for row in db.session.execute(query)]


def respondent_counts(scope: Scope, question_ids: list[int]) -> dict[int, int]:
    """Distinct responses that answered each question (multi, ranking, matrix)."""
    if not question_ids:
        return {}
    query = select(Answer.question_id, func.count(distinct(Answer.response_id))).where(
        Answer.question_id.in_(question_ids)
    )
    query = scope.apply(query).group_by(Answer.question_id)
    return {qid: int(n) for qid, n in db.session.execute(query)}


def value_tables(scope: Scope, question_ids: list[int]) -> tuple[dict[int, dict[float, int]], set[int]]:
    """({question_id: {value: count}}, questions with too many distinct
    values). Rows are streamed; a question over MAX_DISTINCT_VALUES is
    dropped from the first result and listed in the second."""
    tables: dict[int, dict[float, int]] = {qid: {} for qid in question_ids}
    overflow: set[int] = set()
    if not question_ids:
        return tables, overflow
    query = select(Answer.question_id, Answer.value_num, func.count()).where(
        Answer.question_id.in_(question_ids), Answer.value_num.is_not(None)
    )
    query = scope.apply(query).group_by(Answer.question_id, Answer.value_num)
    for qid, value, n in db.session.execute(query.execution_options(yield_per=5000)):
        if qid in overflow:
            continue
        table = tables[qid]
        table[float(value)] = int(n)
        if len(table) > MAX_DISTINCT_VALUES:
            overflow.add(qid)
            tables[qid] = {}
    # Value order, whatever order the GROUP BY came in (PostgreSQL may hash):
    # float sums over the table then add up the same way on every path.
    return {qid: dict(sorted(table.items())) for qid, table in tables.items()}, overflow


def moments(scope: Scope, question_id: int) -> tuple[int, float, float, float, float] | None:
    """(n, Σx, Σx², min, max) of a numeric question; None without answers."""
    query = select(
        func.count(Answer.value_num),
        func.sum(Answer.value_num),
        func.sum(Answer.value_num * Answer.value_num),
        func.min(Answer.value_num),
        func.max(Answer.value_num),
    ).where(Answer.question_id == question_id, Answer.value_num.is_not(None))
    n, total, total_sq, low, high = db.session.execute(scope.apply(query)).one()
    if not n:
        return None
    return int(n), float(total), float(total_sq), float(low), float(high)


def binned_table(scope: Scope, question_id: int, low: float, high: float, bins: int = BINS) -> dict[int, int]:
    """{bin index: count} over [low, high] split in ``bins`` equal bins."""
    width = (high - low) / bins or 1.0
    index = case(
        (Answer.value_num >= high, bins - 1), else_=cast(func.floor((Answer.value_num - low) / width), db.Integer)
    ).label("bin")
    query = select(index, func.count()).where(Answer.question_id == question_id, Answer.value_num.is_not(None))
    query = scope.apply(query).group_by(index)
    return {int(b): int(n) for b, n in db.session.execute(query)}


def _has_text():
    return and_(Answer.value_text.is_not(None), Answer.value_text != "")


def text_counts(scope: Scope, question_ids: list[int]) -> dict[int, int]:
    """Non-empty text answers per question (text questions and "other" texts)."""
    if not question_ids:
        return {}
    query = select(Answer.question_id, func.count()).where(Answer.question_id.in_(question_ids), _has_text())
    query = scope.apply(query).group_by(Answer.question_id)
    return {qid: int(n) for qid, n in db.session.execute(query)}


def escape_like(term: str) -> str:
    """A LIKE pattern matching ``term`` literally anywhere (escape char \\)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_answers(
    scope: Scope, question_id: int, search: str = "", limit: int = 20, offset: int = 0
) -> tuple[list[dict], int]:
    """One page of a question's text answers, newest first, and the number
    matching ``search`` (case-insensitive substring, wildcards literal)."""
    conditions = [Answer.question_id == question_id, _has_text()]
    if search:
        conditions.append(func.lower(Answer.value_text).like(escape_like(search.lower()), escape="\\"))
    total = db.session.execute(scope.apply(select(func.count()).select_from(Answer).where(*conditions))).scalar_one()
    query = select(Answer.value_text, Answer.option_id).where(*conditions)
    rows = db.session.execute(scope.apply(query).order_by(Answer.id.desc()).limit(limit).offset(offset)).all()
    return [{"text": text} for text, _option in rows], int(total)


def latest_texts(scope: Scope, question_id: int, limit: int) -> list[dict]:
    """The latest ``limit`` non-empty text answers, newest first (the first
    page of text_answers without its COUNT)."""
    query = select(Answer.value_text).where(Answer.question_id == question_id, _has_text())
    query = scope.apply(query).order_by(Answer.id.desc()).limit(limit)
    if _dialect() != "postgresql":
        return [{"text": value} for value in db.session.execute(query).scalars()]
    # PostgreSQL underestimates a question's texts and picks a bitmap scan
    # of all of them plus a sort (1 s at 100,000 texts) over walking
    # ix_answers_question_text backwards for 20 rows (under 1 ms).
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    try:
        return [{"text": value} for value in db.session.execute(query).scalars()]
    finally:
        db.session.execute(text("RESET enable_bitmapscan"))


def text_sample(scope: Scope, question_id: int, limit: int) -> list[str]:
    """The latest ``limit`` non-empty text answers of a question."""
    query = select(Answer.value_text).where(Answer.question_id == question_id, _has_text())
    query = scope.apply(query).order_by(Answer.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def demographic_cells(
    survey_id: int, filters: Filters, question_ids: list[int], extra_question_ids: list[int] | None = None
) -> list[tuple]:
    """Complete responses per combination of demographic answers.

    Returns rows (option of each demographic question in order ..., count);
    None stands for "not answered". With ``extra_question_ids`` the rows are
    (question_id, option_id, demographic options ..., count): answers of those
    choice questions broken down by demographic cell, for weighted counts.
    """
    dims = [Answer.__table__.alias(f"d{k}") for k in range(len(question_ids))]
    columns = [d.c.option_id for d in dims]
    if extra_question_ids:
        query = select(Answer.question_id, Answer.option_id, *columns, func.count()).select_from(Answer)
        query = query.join(Response, Response.id == Answer.response_id).where(
            Answer.question_id.in_(extra_question_ids), Answer.option_id.is_not(None)
        )
        keys = [Answer.question_id, Answer.option_id, *columns]
    else:
        query = select(*columns, func.count()).select_from(Response)
        keys = columns
    for dim, qid in zip(dims, question_ids):
        query = query.outerjoin(dim, and_(dim.c.response_id == Response.id, dim.c.question_id == qid))
    query = query.where(*response_conditions(survey_id, filters)).group_by(*keys)
    return [tuple(row) for row in db.session.execute(query)]


def paired_rows(
    wave_a: tuple[int, Filters], wave_b: tuple[int, Filters], question_a: int, question_b: int, expression: str
) -> list[tuple]:
    """Answers of the same participants in two waves, aggregated.

    ``expression`` picks what is grouped: "values" gives (value A, value B,
    pairs); "options" gives (option A, option B, pairs). Only participants
    with exactly one answer to the question in each wave are paired.
    """
    ra, rb = Response.__table__.alias("ra"), Response.__table__.alias("rb")
    aa, ab = Answer.__table__.alias("aa"), Answer.__table__.alias("ab")

    def conditions(alias, survey_id, filters):
        # Reuse the response filter by re-targeting it at an aliased table.
        return [c for c in (_retarget(clause, alias) for clause in response_conditions(survey_id, filters))]

    pick = {"values": (aa.c.value_num, ab.c.value_num), "options": (aa.c.option_id, ab.c.option_id)}[expression]
    query = (
        select(*pick, func.count())
        .select_from(aa)
        .join(ra, ra.c.id == aa.c.response_id)
        .join(rb, and_(rb.c.participant_id == ra.c.participant_id, rb.c.id != ra.c.id))
        .join(ab, and_(ab.c.response_id == rb.c.id, ab.c.question_id == question_b))
        .where(
            aa.c.question_id == question_a,
            ra.c.participant_id.is_not(None),
            *conditions(ra, *wave_a),
            *conditions(rb, *wave_b),
        )
        .group_by(*pick)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _retarget(clause, alias):
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(alias).traverse(clause)


def participant_overlap(wave_a: tuple[int, Filters], wave_b: tuple[int, Filters]) -> tuple[int, int, int]:
    """(linked participants in A, in B, in both) for two waves."""

    def participants(survey_id, filters):
        return (
            select(Response.participant_id)
            .where(*response_conditions(survey_id, filters), Response.participant_id.is_not(None))
            .distinct()
        )

    a, b = participants(*wave_a).subquery(), participants(*wave_b).subquery()
    n_a = db.session.execute(select(func.count()).select_from(a)).scalar_one()
    n_b = db.session.execute(select(func.count()).select_from(b)).scalar_one()
    both = db.session.execute(
        select(func.count()).select_from(a).join(b, a.c.participant_id == b.c.participant_id)
    ).scalar_one()
    return int(n_a), int(n_b), int(both)


def any_response(survey_id: int) -> bool:
    return db.session.execute(select(Response.id).where(Response.survey_id == survey_id).limit(1)).first() is not None


def crosstab_counts(survey_id: int, filters: Filters, row_question: int, column_question: int) -> list[tuple]:
    """(row option, column option, responses) for two choice questions."""
    row, col = Answer.__table__.alias("row_answer"), Answer.__table__.alias("col_answer")
    query = (
        select(row.c.option_id, col.c.option_id, func.count())
        .select_from(row)
        .join(col, and_(col.c.response_id == row.c.response_id, col.c.question_id == column_question))
        .join(Response, Response.id == row.c.response_id)
        .where(
            row.c.question_id == row_question,
            row.c.option_id.is_not(None),
            col.c.option_id.is_not(None),
            *response_conditions(survey_id, filters),
        )
        .group_by(row.c.option_id, col.c.option_id)
    )
    return [tuple(r) for r in db.session.execute(query)]
