"""The read layer over the tally: the same shapes queries.py returns for the
live GROUP BYs, read from the folded totals. Each function reads at most one
small table; none touches ``answers``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, bindparam, case, cast, func, select, text
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from . import queries, tally
from .models import TallyAnswer, TallyDuration, TallyQuestion, TallyWord
from .queries import BINS
from .tally import SLOT_SECONDS, SPLIT_SLOT

EPOCH = date(1970, 1, 1)


def _none(key: int):
    return None if key == 0 else key


def option_counts(question_ids: list[int]) -> list[tuple]:
    """(question_id, item_id, option_id, answers), as queries.option_counts."""
    if not question_ids:
        return []
    t = TallyAnswer
    rows = db.session.execute(
        select(t.question_id, t.item_id, t.option_id, func.sum(t.count))
        .where(t.question_id.in_(question_ids), t.option_id != 0)
        .group_by(t.question_id, t.item_id, t.option_id)
    )
    return [(q, _none(item), option, int(n)) for q, item, option, n in rows]


def rank_counts(question_ids: list[int]) -> list[tuple]:
    """(question_id, option_id, rank, answers), as queries.rank_counts."""
    if not question_ids:
        return []
    t = TallyAnswer
    rows = db.session.execute(
        select(t.question_id, t.option_id, t.value_num, func.sum(t.count))
        .where(t.question_id.in_(question_ids), t.option_id != 0, t.has_value)
        .group_by(t.question_id, t.option_id, t.value_num)
    )
    return [(q, option, rank, int(n)) for q, option, rank, n in rows]


def question_totals(question_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{question_id: (respondents, non-empty texts)}."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(TallyQuestion.question_id, TallyQuestion.respondents, TallyQuestion.texts).where(
            TallyQuestion.question_id.in_(question_ids)
        )
    )
    return {q: (int(r), int(t)) for q, r, t in rows}


def value_tables(question_ids: list[int]) -> tuple[dict[int, dict[float, int]], set[int]]:
    """As queries.value_tables: value tables in value order, and the
    questions with more than MAX_DISTINCT_VALUES values (to be binned)."""
    tables: dict[int, dict[float, int]] = {qid: {} for qid in question_ids}
    overflow: set[int] = set()
    if not question_ids:
        return tables, overflow
    t = TallyAnswer
    query = (
        select(t.question_id, t.value_num, func.sum(t.count))
        .where(t.question_id.in_(question_ids), t.has_value)
        .group_by(t.question_id, t.value_num)
        .order_by(t.question_id, t.value_num)
    )
    for qid, value, n in db.session.execute(query.execution_options(yield_per=5000)):
        if qid in overflow:
            continue
        table = tables[qid]
        table[float(value)] = int(n)
        if len(table) > queries.MAX_DISTINCT_VALUES:
            overflow.add(qid)
            tables[qid] = {}
    return tables, overflow


def moments(question_id: int) -> tuple[int, float, float, float, float] | None:
    """(n, Σx, Σx², min, max) of a numeric question; None without answers."""
    t = TallyAnswer
    n, total, total_sq, low, high = db.session.execute(
        select(
            func.sum(t.count),
            func.sum(t.value_num * t.count),
            func.sum(t.value_num * t.value_num * t.count),
            func.min(t.value_num),
            func.max(t.value_num),
        ).where(t.question_id == question_id, t.has_value)
    ).one()
    if not n:
        return None
    return int(n), float(total), float(total_sq), float(low), float(high)


def binned_table(question_id: int, low: float, high: float, bins: int = BINS) -> dict[int, int]:
    """{bin index: count}, with the bin expression of queries.binned_table."""
    t = TallyAnswer
    width = (high - low) / bins or 1.0
    index = case(
        (t.value_num >= high, bins - 1), else_=cast(func.floor((t.value_num - low) / width), db.Integer)
    ).label("bin")
    query = select(index, func.sum(t.count)).where(t.question_id == question_id, t.has_value).group_by(index)
    return {int(b): int(n) for b, n in db.session.execute(query)}


def word_counts(question_id: int, stop: frozenset[str], top: int = 20) -> list[tuple[str, int]]:
    """The ``top`` words of a text question without ``stop``, most frequent
    first, ties in code-point order (as stats.word_frequencies sorts)."""
    word: ColumnElement[str] | InstrumentedAttribute[str] = TallyWord.word
    if db.engine.dialect.name == "postgresql":
        word = word.collate("C")  # code-point order, whatever the database's locale
    query = (
        select(TallyWord.word, TallyWord.count)
        .where(TallyWord.question_id == question_id, TallyWord.word.not_in(bindparam("stop", expanding=True)))
        .order_by(TallyWord.count.desc(), word)
        .limit(top)
    )
    return [(w, int(n)) for w, n in db.session.execute(query, {"stop": sorted(stop) or [""]})]


def day_counts(survey_id: int, offset_minutes: int) -> list[tuple[str, int]] | None:
    """[(local ISO day, complete responses)]; None when the offset is not a
    whole number of quarter hours."""
    offset = int(offset_minutes) * 60
    if offset % SLOT_SECONDS:
        return None
    day = f"(CAST(slot AS BIGINT) * {SLOT_SECONDS} + {offset}) / 86400"  # integers we computed
    rows = db.session.execute(
        text(
            f"SELECT {day} AS day, SUM(count) FROM survey_tally_responses "
            f"WHERE survey_id = :s AND slot >= 0 GROUP BY {day}"
        ),
        {"s": survey_id},
    )
    return [((EPOCH + timedelta(days=int(d))).isoformat(), int(n)) for d, n in rows]


def channel_language_counts(survey_id: int) -> list[tuple[str, str, int]]:
    """[(channel, language, complete responses)]."""
    rows = db.session.execute(
        text(
            "SELECT channel, language, SUM(count) FROM survey_tally_responses "
            "WHERE survey_id = :s AND slot = :split GROUP BY channel, language"
        ),
        {"s": survey_id, "split": SPLIT_SLOT},
    )
    return [(c, lang, int(n)) for c, lang, n in rows]


def duration_table(survey_id: int) -> dict[float, int]:
    rows = db.session.execute(
        select(TallyDuration.seconds, TallyDuration.count).where(TallyDuration.survey_id == survey_id)
    )
    return {float(s): int(n) for s, n in rows}


def partial_counts(survey_id: int, breakoff_before: datetime) -> tuple[int, int]:
    """(partial responses, break-offs), served by ix_responses_survey_status."""
    n, old = db.session.execute(
        text(
            "SELECT COUNT(*), SUM(CASE WHEN started_at < :before THEN 1 ELSE 0 END) FROM " + tally._partials() + " "
            "WHERE survey_id = :s AND status = 'partial'"
        ).bindparams(bindparam("before", type_=DateTime)),
        {"s": survey_id, "before": breakoff_before},
    ).one()
    return int(n or 0), int(old or 0)
