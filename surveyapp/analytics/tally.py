"""Fold complete responses into the tally (models.py), and read it back.

The submit path does no extra work: a complete response is stored with
``tally_batch`` NULL, and the completion job (surveyapp/jobs/completion.py,
or ``flask surveys tally``) folds every such response of the survey in
chunks. A summary never folds while background work runs: with a backlog
it reads live (``has_backlog``); only with JOBS_BACKEND=off does it call
``fold_if_backlog`` first. Each chunk is one
transaction that first *claims* its responses with

    UPDATE responses SET tally_batch = :batch
    WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL AND id BETWEEN :lo AND :hi

and then adds the GROUP BY of the claimed responses' answers to the totals
with ``INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count``.
The claim makes folding race-free: on PostgreSQL (READ COMMITTED) a second
fold blocks on the claimed rows and then finds them no longer NULL; on
SQLite writers are serialised. Batch numbers are random, so two folds never
aggregate each other's responses.

Answers of a complete response never change (responses/services.py only
rewrites partial ones). A survey edit that deletes an answered question or
option resets the survey's tally so the next summary refolds it from the
answers: ``on_structure_edit`` is subscribed to surveys/versioning.py's
flush hook (analytics.init_app), so every ORM delete is seen, whoever makes it.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, DateTime, bindparam, column, delete, exists, or_, select, text
from sqlalchemy.orm import Session

from ..database import utcnow
from ..extensions import db
from ..questions import QUESTION_TYPES
from ..surveys.models import Option, Question
from ..surveys.versioning import StructureEdit
from . import stats
from .models import TallyAnswer, TallyDuration, TallyQuestion, TallyResponse, TallyState, TallyWord

CHUNK = 50_000
SLOT_SECONDS = 900  # every UTC offset in use is a whole number of quarter hours
SPLIT_SLOT = -1  # survey_tally_responses: the row of a channel and language, not of a time
TEXT_ROWS = 5_000  # text answers tokenised per fetch
BATCH_BITS = 62


def _dialect() -> str:
    return db.engine.dialect.name


def _insert(model):
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _add(model, keys: tuple[str, ...], rows: list[dict], sums: tuple[str, ...] = ("count",)) -> None:
    """Add ``rows`` to the totals: one executemany upsert, in key order so
    concurrent folds lock rows in the same order (no deadlock)."""
    if not rows:
        return
    rows.sort(key=lambda r: tuple(r[k] for k in keys))
    stmt = _insert(model)
    table = model.__table__
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in sums})
    db.session.execute(stmt, rows)


# ---- folding ------------------------------------------------------------


# SQLite's planner, with statistics gathered while every response was still
# unfolded, prefers ix_responses_survey_status and walks the whole survey;
# naming the partial index keeps these reads proportional to the backlog.
def _unfolded() -> str:
    if _dialect() == "sqlite":
        return "responses INDEXED BY ix_responses_survey_unfolded"
    return "responses"


def _partials() -> str:
    if _dialect() == "sqlite":
        return "responses INDEXED BY ix_responses_survey_status"
    return "responses"


_BOUNDS = """
    SELECT MIN(id), MAX(id), COUNT(*) FROM (
        SELECT id FROM {responses}
        WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL
        ORDER BY id LIMIT :chunk) AS pending
"""

_CLAIM = text("""
    UPDATE responses SET tally_batch = :b
    WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL AND id BETWEEN :lo AND :hi
""")

# The claimed responses; the id range lets both databases walk the primary
# key and ix_answers_response_id instead of the whole survey. "question_id
# + 0" below keeps the planner off the question indexes, which would visit
# every answer of the question ever given, not just the claimed ones.
_CLAIMED = "r.survey_id = :s AND r.tally_batch = :b AND r.id BETWEEN :lo AND :hi"
_CLAIMED_ANSWERS = (
    f"answers a JOIN responses r ON r.id = a.response_id WHERE {_CLAIMED} AND a.response_id BETWEEN :lo AND :hi"
)

_HAS_TEXT = "CASE WHEN a.value_text IS NOT NULL AND a.value_text <> '' THEN 1 ELSE 0 END"

_ANSWER_TOTALS = text(f"""
    SELECT a.question_id, COALESCE(a.item_id, 0), COALESCE(a.option_id, 0),
           CASE WHEN a.value_num IS NULL THEN 0 ELSE 1 END, COALESCE(a.value_num, 0), COUNT(*), SUM({_HAS_TEXT})
    FROM {_CLAIMED_ANSWERS}
    GROUP BY a.question_id, COALESCE(a.item_id, 0), COALESCE(a.option_id, 0),
             CASE WHEN a.value_num IS NULL THEN 0 ELSE 1 END, COALESCE(a.value_num, 0)
""")

# Only for questions whose answer is several rows (multiple choice, matrix):
# elsewhere a response has one row per question.
_RESPONDENTS = text(f"""
    SELECT a.question_id, COUNT(DISTINCT a.response_id) FROM {_CLAIMED_ANSWERS}
    AND a.question_id + 0 IN :questions
    GROUP BY a.question_id
""").bindparams(bindparam("questions", expanding=True))

_DURATIONS = text(f"""
    SELECT r.duration_seconds, COUNT(*) FROM responses r
    WHERE {_CLAIMED} AND r.duration_seconds IS NOT NULL
    GROUP BY r.duration_seconds
""")

_TEXTS = text(f"""
    SELECT a.question_id, a.value_text FROM {_CLAIMED_ANSWERS}
    AND a.question_id + 0 IN :questions AND a.value_text IS NOT NULL AND a.value_text <> ''
""").bindparams(bindparam("questions", expanding=True))


def _slot_sql() -> str:
    when = "COALESCE(r.submitted_at, r.started_at)"
    if _dialect() == "sqlite":
        return f"CAST(strftime('%s', {when}) AS INTEGER) / {SLOT_SECONDS}"
    return f"CAST(floor(extract(epoch FROM {when}) / {SLOT_SECONDS}) AS INTEGER)"


def fold(survey_id: int, chunk: int = CHUNK) -> int:
    """Fold every unfolded complete response of the survey; returns how
    many this call folded. Commits once per chunk of ``chunk`` responses, so
    memory and lock time stay flat however large the backlog."""
    folded = 0
    while True:
        claimed, pending = _fold_chunk(survey_id, chunk)
        folded += claimed
        # claimed == 0 with pending rows: another fold owns them right now.
        if pending < chunk or claimed == 0:
            break
    if folded >= CHUNK and _dialect() == "postgresql":
        # A catch-up just rewrote many response rows: until autovacuum runs,
        # ix_responses_survey_unfolded keeps an entry per old row version
        # (each read of the backlog then checks them all in the heap) and
        # the planner still thinks tally_batch is NULL everywhere.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) responses")
    return folded


_BACKLOG = "SELECT 1 FROM {responses} WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL LIMIT 1"


def has_backlog(survey_id: int) -> bool:
    """Whether complete responses of the survey wait to be folded (one probe
    of the partial index). Reads then use the live GROUP BYs, which give the
    same document, rather than fold: folding is the completion job's."""
    return db.session.execute(text(_BACKLOG.format(responses=_unfolded())), {"s": survey_id}).first() is not None


_OLDEST_UNFOLDED = (
    "SELECT submitted_at FROM {responses} WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL "
    "ORDER BY id LIMIT 1"
)


def backlog_since(survey_id: int) -> tuple[bool, datetime | None]:
    """(whether a backlog waits, when its oldest response was submitted):
    one probe of the partial index, like has_backlog."""
    statement = text(_OLDEST_UNFOLDED.format(responses=_unfolded())).columns(column("submitted_at", DateTime))
    row = db.session.execute(statement, {"s": survey_id}).first()
    return (False, None) if row is None else (True, row[0])


def fold_if_backlog(survey_id: int) -> int:
    """The explicit fallback for deployments without background work
    (JOBS_BACKEND=off): a read folds the backlog itself. Returns how many
    it folded."""
    return fold(survey_id) if has_backlog(survey_id) else 0


def _fold_chunk(survey_id: int, chunk: int) -> tuple[int, int]:
    session = db.session
    try:
        lo, hi, pending = session.execute(
            text(_BOUNDS.format(responses=_unfolded())), {"s": survey_id, "chunk": chunk}
        ).one()
        if not pending:
            session.commit()
            return 0, 0
        params = {"s": survey_id, "b": secrets.randbits(BATCH_BITS) or 1, "lo": lo, "hi": hi}
        claimed = cast(CursorResult, session.execute(_CLAIM, params)).rowcount  # an UPDATE: a cursor result
        if claimed:
            _fold_claimed(survey_id, params)
            _add_state(survey_id, claimed)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return claimed, int(pending)


def _fold_claimed(survey_id: int, params: dict) -> None:
    session = db.session
    families = _families(survey_id)
    answers: list[dict] = []
    texts: Counter[int] = Counter()
    for q, item, option, has, value, n, with_text in session.execute(_ANSWER_TOTALS, params):
        answers.append(
            {
                "survey_id": survey_id,
                "question_id": q,
                "item_id": int(item),
                "option_id": int(option),
                "has_value": bool(has),
                "value_num": float(value),
                "count": int(n),
            }
        )
        texts[q] += int(with_text or 0)
    _add(TallyAnswer, ("question_id", "item_id", "option_id", "has_value", "value_num"), answers)
    several = [q for q, family in families.items() if family in ("multi", "matrix")]
    respondents: dict[int, int] = (
        dict(session.execute(_RESPONDENTS, {**params, "questions": several}).all()) if several else {}
    )
    _add(
        TallyQuestion,
        ("question_id",),
        [
            {"survey_id": survey_id, "question_id": q, "respondents": int(respondents.get(q, 0)), "texts": texts[q]}
            for q in {a["question_id"] for a in answers}
        ],
        sums=("respondents", "texts"),
    )
    slot = _slot_sql()
    times = text(f"SELECT {slot} AS slot, COUNT(*) FROM responses r WHERE {_CLAIMED} GROUP BY {slot}")
    splits = text(
        f"SELECT r.channel, r.language, COUNT(*) FROM responses r WHERE {_CLAIMED} GROUP BY r.channel, r.language"
    )
    _add(
        TallyResponse,
        ("survey_id", "slot", "channel", "language"),
        [
            {"survey_id": survey_id, "slot": int(s), "channel": "", "language": "", "count": int(n)}
            for s, n in session.execute(times, params)
        ]
        + [
            {"survey_id": survey_id, "slot": SPLIT_SLOT, "channel": c, "language": lang, "count": int(n)}
            for c, lang, n in session.execute(splits, params)
        ],
    )
    _add(
        TallyDuration,
        ("survey_id", "seconds"),
        [{"survey_id": survey_id, "seconds": int(d), "count": int(n)} for d, n in session.execute(_DURATIONS, params)],
    )
    _fold_words(survey_id, params, [q for q, family in families.items() if family == "text"])


def _families(survey_id: int) -> dict[int, str | None]:
    """{question id: summary family}. A question's type cannot change once
    it has answers (surveys/services.py), so this holds for folded rows."""
    rows = db.session.execute(select(Question.id, Question.type).where(Question.survey_id == survey_id))
    return {qid: getattr(QUESTION_TYPES.get(kind), "summary_family", None) for qid, kind in rows}


def _fold_words(survey_id: int, params: dict, questions: list[int]) -> None:
    """Word counts of the claimed text answers, tokenised here (no SQL
    spelling of the tokeniser is portable); rows are streamed, and the
    counters hold one chunk's vocabulary, not its texts."""
    if not questions:
        return
    counters: dict[int, Counter] = {}
    result = db.session.execute(_TEXTS, {**params, "questions": questions}, execution_options={"yield_per": TEXT_ROWS})
    for qid, value in result:
        counters.setdefault(qid, Counter()).update(stats.tokens(value))
    _add(
        TallyWord,
        ("question_id", "word"),
        [
            {"survey_id": survey_id, "question_id": qid, "word": word, "count": n}
            for qid, counter in counters.items()
            for word, n in counter.items()
        ],
    )


def _add_state(survey_id: int, responses: int) -> None:
    stmt = _insert(TallyState)
    stmt = stmt.on_conflict_do_update(
        index_elements=["survey_id"],
        set_={
            "responses": TallyState.__table__.c.responses + stmt.excluded.responses,
            "folded_at": stmt.excluded.folded_at,
        },
    )
    db.session.execute(stmt, {"survey_id": survey_id, "responses": responses, "generation": 0, "folded_at": utcnow()})


# ---- resetting ----------------------------------------------------------


def reset(survey_id: int) -> None:
    """Forget the survey's tally (the caller commits); the next fold
    rebuilds it from the answers. For rare structural edits only: the
    refold costs a scan of every complete response."""
    for model in (TallyAnswer, TallyQuestion, TallyResponse, TallyDuration, TallyWord):
        db.session.execute(delete(model).where(model.survey_id == survey_id))
    db.session.execute(
        text("UPDATE responses SET tally_batch = NULL WHERE survey_id = :s AND tally_batch IS NOT NULL"),
        {"s": survey_id},
    )
    stmt = _insert(TallyState)
    stmt = stmt.on_conflict_do_update(
        index_elements=["survey_id"],
        set_={"responses": 0, "generation": TallyState.__table__.c.generation + 1, "folded_at": None},
    )
    db.session.execute(stmt, {"survey_id": survey_id, "responses": 0, "generation": 1, "folded_at": None})


def rebuild(survey_id: int) -> int:
    """Reset and fold again from the stored answers; returns responses folded."""
    try:
        reset(survey_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return fold(survey_id)


def forget(survey_id: int, question_ids: list[int], option_ids: list[int]) -> None:
    """Before questions or options (or matrix items) are deleted: resets the
    tally only if folded answers use them, since their removal changes
    counts."""
    used = []
    if question_ids:
        used.append(exists().where(TallyQuestion.question_id.in_(question_ids)))
    if option_ids:
        used.append(
            exists().where(
                TallyAnswer.survey_id == survey_id,
                or_(TallyAnswer.option_id.in_(option_ids), TallyAnswer.item_id.in_(option_ids)),
            )
        )
    if used and db.session.execute(select(or_(*used))).scalar():
        reset(survey_id)


def on_structure_edit(_session: Session, edit: StructureEdit) -> None:
    """The versioning hook's subscriber: forget what deleted questions and
    options contributed (runs inside the flush, before the rows go)."""
    questions = [obj.id for obj in edit.deleted if isinstance(obj, Question) and obj.id is not None]
    options = [obj.id for obj in edit.deleted if isinstance(obj, Option) and obj.id is not None]
    forget(edit.survey_id, questions, options)


# ---- reading ------------------------------------------------------------


def state(survey_id: int) -> tuple[int, int, datetime | None]:
    """(complete responses folded, generation, last fold time)."""
    row = db.session.execute(
        select(TallyState.responses, TallyState.generation, TallyState.folded_at).where(
            TallyState.survey_id == survey_id
        )
    ).first()
    return (int(row[0]), int(row[1]), row[2]) if row else (0, 0, None)


_PENDING = """
    SELECT
      (SELECT COUNT(*) FROM {unfolded}
       WHERE survey_id = :s AND status = 'complete' AND tally_batch IS NULL),
      (SELECT COUNT(*) FROM {partials} WHERE survey_id = :s AND status = 'partial'),
      (SELECT MAX(id) FROM {partials} WHERE survey_id = :s AND status = 'partial')
"""


def cache_key(survey_id: int) -> tuple:
    """Changes whenever a response is added or completed, or the tally is
    reset; every part is read from a small table or a partial index, so it
    costs the same at 1,000 responses as at 1,000,000."""
    folded, generation, _when = state(survey_id)
    unfolded, partials, last_partial = db.session.execute(
        text(_PENDING.format(unfolded=_unfolded(), partials=_partials())), {"s": survey_id}
    ).one()
    return (folded + int(unfolded), int(partials), last_partial, generation)
