"""The read layer of the programmes: every SQL aggregation of the metric set,
returning plain numbers and frequency tables (never ORM rows per response), and
the lists the programme pages show (at the end). Works on SQLite and
PostgreSQL; the cost grows with the rows scanned inside the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, and_, case, cast, distinct, exists, func, literal, or_, select, union_all

from ..collect.models import SurveyInvitation
from ..extensions import db
from ..participants.models import Participant
from ..questions import QUESTION_TYPES
from ..responses.models import Answer, Response
from ..surveys.models import Option, Question, Survey
from .models import (
    Activity,
    Attendance,
    FeedbackItem,
    FeedbackSource,
    FollowUpAction,
    IndicatorValue,
    OutcomeIndicator,
    Programme,
    ProgrammeSurvey,
    Story,
    feedback_actions,
)

COMPLETE = "complete"


@dataclass(frozen=True)
class Scope:
    """A programme and a window: surveys, [start, end) in UTC for timestamps,
    [first_day, last_day] for calendar dates (activities, actions, stories)."""

    programme_id: int
    survey_ids: tuple[int, ...]
    start: datetime
    end: datetime
    first_day: date
    last_day: date


def linked_surveys(programme_id: int) -> list[tuple[int, str | None, int | None, int | None, str, str]]:
    """(survey_id, series, wave, activity_id, status, anonymous) of the programme's surveys."""
    return db.session.execute(
        select(
            ProgrammeSurvey.survey_id,
            ProgrammeSurvey.series,
            ProgrammeSurvey.wave,
            ProgrammeSurvey.activity_id,
            Survey.status,
            Survey.anonymous,
        )
        .join(Survey, Survey.id == ProgrammeSurvey.survey_id)
        .where(ProgrammeSurvey.programme_id == programme_id)
        .order_by(ProgrammeSurvey.survey_id)
    ).all()


def role_questions(survey_ids) -> list:
    """Questions with a metric role in these surveys: (id, survey_id, code, type, metric_role)."""
    if not survey_ids:
        return []
    return db.session.execute(
        select(Question.id, Question.survey_id, Question.code, Question.type, Question.metric_role)
        .where(Question.survey_id.in_(survey_ids), Question.metric_role.is_not(None))
        .order_by(Question.survey_id, Question.position)
    ).all()


def option_ranges(question_ids) -> dict[int, tuple[float, float]]:
    """Lowest and highest choice value per question (the ends of a scale)."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(Option.question_id, func.min(Option.value), func.max(Option.value))
        .where(Option.question_id.in_(question_ids), Option.kind == "choice", Option.value.is_not(None))
        .group_by(Option.question_id)
    ).all()
    return {q: (float(lo), float(hi)) for q, lo, hi in rows if hi is not None and hi > lo}


def _responses_in(scope: Scope):
    return and_(
        Response.survey_id.in_(scope.survey_ids),
        Response.status == COMPLETE,
        Response.submitted_at >= scope.start,
        Response.submitted_at < scope.end,
    )


def any_response(scope: Scope) -> bool:
    """Whether the window holds at least one complete response (one index seek)."""
    return db.session.execute(select(Response.id).where(_responses_in(scope)).limit(1)).first() is not None


def _attendance_in(scope: Scope):
    return and_(
        Activity.programme_id == scope.programme_id,
        Activity.held_on >= scope.first_day,
        Activity.held_on <= scope.last_day,
    )


def _participations(scope: Scope):
    """One row per identified participation (response or check-in): participant_id."""
    parts = [
        select(Attendance.participant_id.label("pid"))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(_attendance_in(scope), Attendance.participant_id.is_not(None))
    ]
    if scope.survey_ids:
        parts.append(
            select(Response.participant_id.label("pid")).where(
                _responses_in(scope), Response.participant_id.is_not(None)
            )
        )
    return union_all(*parts).subquery()


def participations_table(scope: Scope) -> dict[int, int]:
    """{participations in the window: identified participants with that many}."""
    u = _participations(scope)
    per = select(u.c.pid, func.count().label("c")).group_by(u.c.pid).subquery()
    rows = db.session.execute(select(per.c.c, func.count()).group_by(per.c.c)).all()
    return {int(c): int(n) for c, n in rows}


def anonymous_responses(scope: Scope) -> int:
    if not scope.survey_ids:
        return 0
    return db.session.execute(
        select(func.count()).select_from(Response).where(_responses_in(scope), Response.participant_id.is_(None))
    ).scalar_one()


def activity_attendance(scope: Scope) -> list[dict]:
    """Per activity in the window: head count, check-in rows, linked (identified) rows."""
    rows = db.session.execute(
        select(
            Activity.id,
            Activity.title,
            Activity.held_on,
            Activity.kind,
            Activity.head_count,
            func.count(Attendance.id),
            func.count(Attendance.participant_id),
        )
        .outerjoin(Attendance, Attendance.activity_id == Activity.id)
        .where(_attendance_in(scope))
        .group_by(Activity.id, Activity.title, Activity.held_on, Activity.kind, Activity.head_count)
        .order_by(Activity.held_on, Activity.id)
    ).all()
    out = []
    for aid, title, held_on, kind, head, checkins, linked in rows:
        total = max(head or 0, checkins)
        out.append(
            {
                "id": aid,
                "title": title,
                "held_on": held_on,
                "kind": kind,
                "head_count": head,
                "check_ins": checkins,
                "identified": linked,
                "total": total,
                "anonymous": total - linked,
            }
        )
    return out


def returning_participants(scope: Scope) -> tuple[int, int]:
    """(identified participants in the window, of whom had taken part in the programme before it)."""
    u = _participations(scope)
    before_parts = [
        select(Attendance.participant_id.label("pid"))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Activity.programme_id == scope.programme_id,
            Activity.held_on < scope.first_day,
            Attendance.participant_id.is_not(None),
        )
    ]
    if scope.survey_ids:
        before_parts.append(
            select(Response.participant_id.label("pid")).where(
                Response.survey_id.in_(scope.survey_ids),
                Response.status == COMPLETE,
                Response.submitted_at < scope.start,
                Response.participant_id.is_not(None),
            )
        )
    before = union_all(*before_parts).subquery()
    total = db.session.execute(select(func.count(distinct(u.c.pid)))).scalar_one()
    returning = db.session.execute(
        select(func.count(distinct(u.c.pid))).where(u.c.pid.in_(select(before.c.pid)))
    ).scalar_one()
    return int(total), int(returning)


def segment_people(scope: Scope, demo_question_ids) -> dict[tuple[str, str], int]:
    """{(dimension, category): people}: distinct identified participants plus anonymous
    responses whose answer to a demographic question falls in the category."""
    if not demo_question_ids or not scope.survey_ids:
        return {}
    rows = db.session.execute(
        select(
            Question.metric_role,
            Option.code,
            func.count(distinct(Response.participant_id)),
            func.sum(case((Response.participant_id.is_(None), 1), else_=0)),
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Option, Option.id == Answer.option_id)
        .where(Answer.question_id.in_(demo_question_ids), _responses_in(scope))
        .group_by(Question.metric_role, Option.code)
    ).all()
    out: dict[tuple[str, str], int] = {}
    for role, code, identified, anonymous in rows:
        key = (role.split(":", 1)[1], code)
        out[key] = out.get(key, 0) + int(identified or 0) + int(anonymous or 0)
    return out


def value_counts(scope: Scope, question_ids) -> dict[int, dict[float, int]]:
    """{question_id: {value_num: answers}} in the window."""
    if not question_ids or not scope.survey_ids:
        return {}
    rows = db.session.execute(
        select(Answer.question_id, Answer.value_num, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(question_ids), Answer.value_num.is_not(None), _responses_in(scope))
        .group_by(Answer.question_id, Answer.value_num)
    ).all()
    out: dict[int, dict[float, int]] = {}
    for qid, value, n in rows:
        out.setdefault(qid, {})[float(value)] = int(n)
    return out


def value_counts_by_segment(
    scope: Scope, question_ids, demo_question_ids
) -> dict[tuple[str, str, int], dict[float, int]]:
    """{(dimension, category, question_id): {value_num: answers}}, split by the demographic
    answer given in the same response (one query for every question at once)."""
    if not question_ids or not demo_question_ids or not scope.survey_ids:
        return {}
    demo = db.aliased(Answer)
    rows = db.session.execute(
        select(Question.metric_role, Option.code, Answer.question_id, Answer.value_num, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(demo, and_(demo.response_id == Answer.response_id, demo.question_id.in_(demo_question_ids)))
        .join(Question, Question.id == demo.question_id)
        .join(Option, Option.id == demo.option_id)
        .where(Answer.question_id.in_(question_ids), Answer.value_num.is_not(None), _responses_in(scope))
        .group_by(Question.metric_role, Option.code, Answer.question_id, Answer.value_num)
    ).all()
    out: dict[tuple[str, str, int], dict[float, int]] = {}
    for role, code, qid, value, n in rows:
        out.setdefault((role.split(":", 1)[1], code, qid), {})[float(value)] = int(n)
    return out


def value_counts_by_survey(scope: Scope, question_ids) -> dict[int, dict[float, int]]:
    """{survey_id: {value_num: answers}} pooled over question_ids."""
    if not question_ids or not scope.survey_ids:
        return {}
    rows = db.session.execute(
        select(Response.survey_id, Answer.value_num, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(question_ids), Answer.value_num.is_not(None), _responses_in(scope))
        .group_by(Response.survey_id, Answer.value_num)
    ).all()
    out: dict[int, dict[float, int]] = {}
    for sid, value, n in rows:
        out.setdefault(sid, {})[float(value)] = int(n)
    return out


def _rescaled(ranges: dict[int, tuple[float, float]]):
    """value_num of each question rescaled to 0-100 with its own scale ends."""
    return case(
        *[
            (Answer.question_id == qid, (cast(Answer.value_num, Float) - lo) * 100.0 / (hi - lo))
            for qid, (lo, hi) in ranges.items()
        ],
        else_=None,
    )


def relations_sums(scope: Scope, ranges: dict[int, tuple[float, float]], demo_question_ids=None):
    """(n, Σx, Σx²) of per-response mean 0-100 scores over the relations items;
    with demo_question_ids, {(dimension, category): (n, Σx, Σx²)} instead."""
    if not ranges or not scope.survey_ids:
        return (0, 0.0, 0.0) if demo_question_ids is None else {}
    per = (
        select(Answer.response_id.label("rid"), func.avg(_rescaled(ranges)).label("x"))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(list(ranges)), Answer.value_num.is_not(None), _responses_in(scope))
        .group_by(Answer.response_id)
        .subquery()
    )
    if demo_question_ids is None:
        n, s, s2 = db.session.execute(select(func.count(), func.sum(per.c.x), func.sum(per.c.x * per.c.x))).one()
        return int(n), float(s or 0), float(s2 or 0)
    rows = db.session.execute(
        select(Question.metric_role, Option.code, func.count(), func.sum(per.c.x), func.sum(per.c.x * per.c.x))
        .select_from(per)
        .join(Answer, and_(Answer.response_id == per.c.rid, Answer.question_id.in_(demo_question_ids)))
        .join(Question, Question.id == Answer.question_id)
        .join(Option, Option.id == Answer.option_id)
        .group_by(Question.metric_role, Option.code)
    ).all()
    return {(role.split(":", 1)[1], code): (int(n), float(s or 0), float(s2 or 0)) for role, code, n, s, s2 in rows}


def channel_counts(scope: Scope, attendance_total: int) -> dict[str, int]:
    """{channel: participations}; attendance counts as the channel "activity"."""
    out: dict[str, int] = {}
    if scope.survey_ids:
        rows = db.session.execute(
            select(Response.channel, func.count()).where(_responses_in(scope)).group_by(Response.channel)
        ).all()
        out = {c: int(n) for c, n in rows}
    if attendance_total:
        out["activity"] = attendance_total
    return out


def duration_table(scope: Scope) -> dict[int, int]:
    """{seconds to complete: responses}."""
    if not scope.survey_ids:
        return {}
    rows = db.session.execute(
        select(Response.duration_seconds, func.count())
        .where(_responses_in(scope), Response.duration_seconds.is_not(None), Response.duration_seconds >= 0)
        .group_by(Response.duration_seconds)
    ).all()
    return {int(s): int(n) for s, n in rows}


def _minutes_between(earlier, later):
    if db.engine.dialect.name == "postgresql":
        return func.floor(func.extract("epoch", later - earlier) / 60)
    return func.cast((func.julianday(later) - func.julianday(earlier)) * 1440, db.Integer)


def invitation_delay_table(scope: Scope) -> dict[int, int]:
    """{whole minutes from the invitation being sent to the response: responses}."""
    if not scope.survey_ids:
        return {}
    minutes = _minutes_between(SurveyInvitation.sent_at, Response.submitted_at).label("m")
    rows = db.session.execute(
        select(minutes, func.count())
        .select_from(Response)
        .join(SurveyInvitation, SurveyInvitation.id == Response.invitation_id)
        .where(
            _responses_in(scope),
            SurveyInvitation.sent_at.is_not(None),
            SurveyInvitation.sent_at <= Response.submitted_at,
        )
        .group_by(minutes)
    ).all()
    return {int(m): int(n) for m, n in rows}


def pending_survey_feedback(programme_id: int, organisation_id: int = 0):
    """The feedback items the programme's surveys hold but the programme
    does not have yet: new non-empty answers to "feedback" questions, as a
    SELECT of the feedback_items columns (``FEEDBACK_COLUMNS``). Read live
    by the metric set while a backlog remains, inserted by
    ``services.sync_survey_feedback``."""
    survey_ids = select(ProgrammeSurvey.survey_id).where(ProgrammeSurvey.programme_id == programme_id)
    feedback_q = select(Question.id).where(Question.survey_id.in_(survey_ids), Question.metric_role == "feedback")
    positive_q = select(Question.id).where(
        Question.survey_id.in_(survey_ids),
        or_(Question.metric_role == "satisfaction", Question.metric_role == "recommend"),
    )
    sat = db.aliased(Answer)
    sat_q = db.aliased(Question)
    positive = exists().where(
        sat.response_id == Answer.response_id,
        sat.question_id.in_(positive_q),
        sat_q.id == sat.question_id,
        or_(
            and_(sat_q.metric_role == "satisfaction", sat.value_num >= 4),
            and_(sat_q.metric_role == "recommend", sat.value_num >= 9),
        ),
    )
    existing = exists().where(FeedbackItem.answer_id == Answer.id)
    return (
        select(
            literal(organisation_id).label("organisation_id"),
            literal(programme_id).label("programme_id"),
            literal(FeedbackSource.SURVEY.value).label("source"),
            Answer.value_text.label("text"),
            Answer.id.label("answer_id"),
            Answer.response_id.label("response_id"),
            # Anonymous surveys never link feedback to a participant, whatever the response row says.
            case((Survey.anonymous.is_(True), None), else_=Response.participant_id).label("participant_id"),
            positive.label("auto_positive"),
            Response.submitted_at.label("received_at"),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .where(
            Answer.question_id.in_(feedback_q),
            Response.status == "complete",
            Response.submitted_at.is_not(None),
            Answer.value_text.is_not(None),
            func.length(func.trim(Answer.value_text)) > 0,
            ~existing,
        )
    )


FEEDBACK_COLUMNS = [
    "organisation_id",
    "programme_id",
    "source",
    "text",
    "answer_id",
    "response_id",
    "participant_id",
    "auto_positive",
    "received_at",
]


def feedback_counts(scope: Scope) -> dict:
    """M9: items received in the window, positive ones, and by source and sentiment."""
    positive = or_(
        FeedbackItem.sentiment == "positive",
        and_(FeedbackItem.sentiment.is_(None), FeedbackItem.auto_positive.is_(True)),
    )
    rows = db.session.execute(
        select(FeedbackItem.source, func.count(), func.sum(case((positive, 1), else_=0)))
        .where(
            FeedbackItem.programme_id == scope.programme_id,
            FeedbackItem.received_at >= scope.start,
            FeedbackItem.received_at < scope.end,
        )
        .group_by(FeedbackItem.source)
    ).all()
    by_source = {s: int(n) for s, n, _ in rows}
    positives = sum(int(p or 0) for _, _, p in rows)
    # Answers the completion job has not copied yet count as they will.
    pending = _pending_in_window(scope)
    waiting, waiting_positive = db.session.execute(
        select(func.count(), func.sum(case((pending.c.auto_positive, 1), else_=0)))
    ).one()
    if waiting:
        source = FeedbackSource.SURVEY.value
        by_source[source] = by_source.get(source, 0) + int(waiting)
        positives += int(waiting_positive or 0)
    return {"items": sum(by_source.values()), "positive": positives, "by_source": by_source}


def _pending_in_window(scope: Scope):
    pending = pending_survey_feedback(scope.programme_id).subquery()
    return select(pending).where(pending.c.received_at >= scope.start, pending.c.received_at < scope.end).subquery()


def follow_up_rows(scope: Scope) -> tuple[list[tuple[datetime, date | None]], int, int]:
    """([(received_at, first action date or None)] for items of the window, counting only
    actions dated up to the window's last day), actions dated in the window, of which published."""
    first_action = (
        select(feedback_actions.c.feedback_id.label("fid"), func.min(FollowUpAction.action_date).label("d"))
        .join(FollowUpAction, FollowUpAction.id == feedback_actions.c.action_id)
        .where(FollowUpAction.programme_id == scope.programme_id, FollowUpAction.action_date <= scope.last_day)
        .group_by(feedback_actions.c.feedback_id)
        .subquery()
    )
    items = db.session.execute(
        select(FeedbackItem.received_at, first_action.c.d)
        .outerjoin(first_action, first_action.c.fid == FeedbackItem.id)
        .where(
            FeedbackItem.programme_id == scope.programme_id,
            FeedbackItem.received_at >= scope.start,
            FeedbackItem.received_at < scope.end,
        )
    ).all()
    pending = _pending_in_window(scope)
    waiting = db.session.execute(select(pending.c.received_at)).scalars().all()
    answered = select(feedback_actions.c.action_id)
    actions, published = db.session.execute(
        select(func.count(), func.sum(case((FollowUpAction.published.is_(True), 1), else_=0))).where(
            FollowUpAction.programme_id == scope.programme_id,
            FollowUpAction.action_date >= scope.first_day,
            FollowUpAction.action_date <= scope.last_day,
            FollowUpAction.id.in_(answered),
        )
    ).one()
    return [(r, d) for r, d in items] + [(r, None) for r in waiting], int(actions), int(published or 0)


def indicators(programme_id: int) -> list[OutcomeIndicator]:
    return (
        db.session.execute(
            select(OutcomeIndicator).where(OutcomeIndicator.programme_id == programme_id).order_by(OutcomeIndicator.id)
        )
        .scalars()
        .all()
    )


def indicator_latest_values(scope: Scope) -> dict[int, tuple[date, float]]:
    """{indicator_id: (date, value)} of the latest hand-entered value in the window."""
    latest = (
        select(IndicatorValue.indicator_id, func.max(IndicatorValue.observed_on).label("d"))
        .join(OutcomeIndicator, OutcomeIndicator.id == IndicatorValue.indicator_id)
        .where(
            OutcomeIndicator.programme_id == scope.programme_id,
            IndicatorValue.observed_on >= scope.first_day,
            IndicatorValue.observed_on <= scope.last_day,
        )
        .group_by(IndicatorValue.indicator_id)
        .subquery()
    )
    rows = db.session.execute(
        select(IndicatorValue.indicator_id, IndicatorValue.observed_on, func.max(IndicatorValue.value))
        .join(
            latest, and_(latest.c.indicator_id == IndicatorValue.indicator_id, latest.c.d == IndicatorValue.observed_on)
        )
        .group_by(IndicatorValue.indicator_id, IndicatorValue.observed_on)
    ).all()
    return {i: (d, float(v)) for i, d, v in rows}


def question_means(scope: Scope, question_ids) -> dict[int, tuple[int, float]]:
    """{question_id: (answers, mean)} in the window."""
    if not question_ids or not scope.survey_ids:
        return {}
    rows = db.session.execute(
        select(Answer.question_id, func.count(), func.avg(cast(Answer.value_num, Float)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(question_ids), Answer.value_num.is_not(None), _responses_in(scope))
        .group_by(Answer.question_id)
    ).all()
    return {q: (int(n), float(m)) for q, n, m in rows}


def stories(scope: Scope) -> list[Story]:
    return (
        db.session.execute(
            select(Story)
            .where(
                Story.programme_id == scope.programme_id,
                Story.told_on >= scope.first_day,
                Story.told_on <= scope.last_day,
            )
            .order_by(Story.told_on.desc(), Story.id.desc())
        )
        .scalars()
        .all()
    )


# ---- waves (M5) ------------------------------------------------------------------


def wave_value_counts(survey_id: int, question_id: int, end: datetime, option_id: int | None = None):
    """{value: answers} of one question up to ``end``; with option_id, a binary table
    {1: chose it, 0: answered otherwise}."""
    value = Answer.value_num if option_id is None else case((Answer.option_id == option_id, 1), else_=0)
    inner = (
        select(value.label("v"))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.question_id == question_id,
            Response.survey_id == survey_id,
            Response.status == COMPLETE,
            Response.submitted_at < end,
            Answer.value_num.is_not(None) if option_id is None else Answer.option_id.is_not(None),
        )
        .subquery()
    )
    # Grouping on a subquery column: PostgreSQL refuses GROUP BY on a CASE with its own bound parameters.
    rows = db.session.execute(select(inner.c.v, func.count()).group_by(inner.c.v)).all()
    return {float(v): int(n) for v, n in rows}


def wave_pairs(before: tuple[int, int], after: tuple[int, int], end: datetime, options: tuple[int, int] | None = None):
    """Answers of the same participants in both waves. before/after = (survey_id, question_id).
    Without options: {after - before: pairs}; with options (yes option ids of before, after):
    2x2 [[yes->yes, yes->no], [no->yes, no->no]]."""
    r1, r2, a1, a2 = db.aliased(Response), db.aliased(Response), db.aliased(Answer), db.aliased(Answer)
    joined = (
        select()
        .select_from(a1)
        .join(r1, r1.id == a1.response_id)
        .join(
            r2,
            and_(
                r2.participant_id == r1.participant_id,
                r2.survey_id == after[0],
                r2.status == COMPLETE,
                r2.submitted_at < end,
            ),
        )
        .join(a2, and_(a2.response_id == r2.id, a2.question_id == after[1]))
        .where(
            r1.survey_id == before[0],
            r1.status == COMPLETE,
            r1.submitted_at < end,
            r1.participant_id.is_not(None),
            a1.question_id == before[1],
        )
    )
    if options is None:
        diff = (a2.value_num - a1.value_num).label("d")
        rows = db.session.execute(
            joined.add_columns(diff, func.count())
            .where(a1.value_num.is_not(None), a2.value_num.is_not(None))
            .group_by(diff)
        ).all()
        return {float(d): int(n) for d, n in rows}
    inner = (
        joined.add_columns(
            case((a1.option_id == options[0], 1), else_=0).label("y1"),
            case((a2.option_id == options[1], 1), else_=0).label("y2"),
        )
        .where(a1.option_id.is_not(None), a2.option_id.is_not(None))
        .subquery()
    )
    rows = db.session.execute(select(inner.c.y1, inner.c.y2, func.count()).group_by(inner.c.y1, inner.c.y2)).all()
    cells = {(int(a), int(b)): int(n) for a, b, n in rows}
    return [[cells.get((1, 1), 0), cells.get((1, 0), 0)], [cells.get((0, 1), 0), cells.get((0, 0), 0)]]


def wave_respondents(survey_id: int, end: datetime) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Response)
        .where(Response.survey_id == survey_id, Response.status == COMPLETE, Response.submitted_at < end)
    ).scalar_one()


def wave_pair_count(before_id: int, after_id: int, end: datetime) -> int:
    r1, r2 = db.aliased(Response), db.aliased(Response)
    return db.session.execute(
        select(func.count(distinct(r1.participant_id)))
        .select_from(r1)
        .join(
            r2,
            and_(
                r2.participant_id == r1.participant_id,
                r2.survey_id == after_id,
                r2.status == COMPLETE,
                r2.submitted_at < end,
            ),
        )
        .where(r1.survey_id == before_id, r1.status == COMPLETE, r1.submitted_at < end, r1.participant_id.is_not(None))
    ).scalar_one()


def questions_with_options(survey_ids) -> dict[int, dict]:
    """{survey_id: {code: (question_id, type, {option code: option id})}} for comparable questions."""
    if not survey_ids:
        return {}
    rows = db.session.execute(
        select(Question.survey_id, Question.code, Question.id, Question.type, Option.code, Option.id)
        .outerjoin(Option, and_(Option.question_id == Question.id, Option.kind == "choice"))
        .where(
            Question.survey_id.in_(survey_ids),
            Question.retired_at.is_(None),
            Question.type.in_([name for name, qtype in QUESTION_TYPES.items() if qtype.change_scale]),
        )
    ).all()
    out: dict[int, dict] = {}
    for sid, code, qid, qtype, ocode, oid in rows:
        entry = out.setdefault(sid, {}).setdefault(code, (qid, qtype, {}))
        if ocode is not None:
            entry[2][ocode] = oid
    return out


def open_survey_segments(survey_id: int, demo_question_ids) -> dict[tuple[str, str], int]:
    """{(dimension, category): respondents} over all complete responses of one survey."""
    if not demo_question_ids:
        return {}
    rows = db.session.execute(
        select(Question.metric_role, Option.code, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Option, Option.id == Answer.option_id)
        .where(Answer.question_id.in_(demo_question_ids), Response.survey_id == survey_id, Response.status == COMPLETE)
        .group_by(Question.metric_role, Option.code)
    ).all()
    return {(role.split(":", 1)[1], code): int(n) for role, code, n in rows}


# ---- the programme pages -----------------------------------------------------------


def programmes_of(organisation_id: int) -> list[Programme]:
    """The organisation's programmes, latest start first."""
    return list(
        db.session.execute(
            select(Programme)
            .filter_by(organisation_id=organisation_id)
            .order_by(Programme.starts_on.desc(), Programme.id)
        ).scalars()
    )


def linkable_surveys(organisation_id: int) -> list[Survey]:
    """The organisation's surveys (not templates) a programme may take in."""
    return list(
        db.session.execute(
            select(Survey).filter_by(organisation_id=organisation_id, is_template=False).order_by(Survey.id)
        ).scalars()
    )


def survey_links(programme_id: int) -> list[ProgrammeSurvey]:
    """The programme's surveys by series and wave."""
    return list(
        db.session.execute(
            select(ProgrammeSurvey)
            .filter_by(programme_id=programme_id)
            .order_by(ProgrammeSurvey.series, ProgrammeSurvey.wave)
        ).scalars()
    )


def activities(programme_id: int) -> list[Activity]:
    """The programme's activities, earliest first."""
    return list(
        db.session.execute(select(Activity).filter_by(programme_id=programme_id).order_by(Activity.held_on)).scalars()
    )


def activities_with_checkins(programme_id: int) -> list[tuple[Activity, int, int]]:
    """(activity, check-ins, check-ins of a known participant), latest first."""
    return [
        (activity, int(checkins), int(known))
        for activity, checkins, known in db.session.execute(
            select(Activity, func.count(Attendance.id), func.count(Attendance.participant_id))
            .outerjoin(Attendance, Attendance.activity_id == Activity.id)
            .where(Activity.programme_id == programme_id)
            .group_by(Activity.id)
            .order_by(Activity.held_on.desc(), Activity.id.desc())
        )
    ]


def checkins(activity_id: int) -> list[tuple[str, datetime, str | None]]:
    """(channel, checked in at, pseudonym or None once erased) of each check-in, in order."""
    return [
        (channel, at, pseudonym)
        for channel, at, pseudonym in db.session.execute(
            select(Attendance.channel, Attendance.checked_in_at, Participant.pseudonym)
            .outerjoin(Participant, Participant.id == Attendance.participant_id)
            .where(Attendance.activity_id == activity_id)
            .order_by(Attendance.checked_in_at)
        )
    ]


def activity_notes(activity_id: int) -> list[FeedbackItem]:
    """The notes an editor took at the activity (feedback from the activity), in order."""
    return list(
        db.session.execute(
            select(FeedbackItem)
            .filter_by(activity_id=activity_id, source=FeedbackSource.ACTIVITY.value)
            .order_by(FeedbackItem.id)
        ).scalars()
    )


def programme_stories(programme_id: int) -> list[Story]:
    """All the programme's stories, latest told first."""
    return list(
        db.session.execute(select(Story).filter_by(programme_id=programme_id).order_by(Story.told_on.desc())).scalars()
    )


def programme_by_token(token: str) -> Programme | None:
    """The programme of a public link (its page and feedback form)."""
    return db.session.execute(select(Programme).filter_by(public_token=token)).scalar_one_or_none()


def activity_by_checkin_token(token: str) -> Activity | None:
    return db.session.execute(select(Activity).filter_by(checkin_token=token)).scalar_one_or_none()


def published_actions(programme_id: int) -> list[FollowUpAction]:
    """The actions shown on "you said, we did", latest first."""
    return list(
        db.session.execute(
            select(FollowUpAction)
            .filter_by(programme_id=programme_id, published=True)
            .order_by(FollowUpAction.action_date.desc())
        ).scalars()
    )
