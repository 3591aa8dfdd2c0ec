"""Reads for the builder pages: survey lists and answer counts, aggregated in SQL."""

from __future__ import annotations

from ..extensions import db
from ..responses.models import Answer, Response
from ..surveys.models import Question, Survey


def surveys_of(organisation_id: int) -> list[Survey]:
    return list(
        db.session.execute(
            db.select(Survey)
            .where(Survey.organisation_id == organisation_id)
            .order_by(Survey.updated_at.desc(), Survey.id.desc())
        ).scalars()
    )


def own_templates(organisation_id: int) -> list[Survey]:
    return list(
        db.session.execute(
            db.select(Survey)
            .where(
                Survey.organisation_id == organisation_id, Survey.is_template.is_(True), Survey.archived_at.is_(None)
            )
            .order_by(Survey.id.desc())
        ).scalars()
    )


def recent_surveys(organisation_id: int, limit: int = 5) -> list[Survey]:
    return list(
        db.session.execute(
            db.select(Survey)
            .where(
                Survey.organisation_id == organisation_id, Survey.is_template.is_(False), Survey.archived_at.is_(None)
            )
            .order_by(Survey.updated_at.desc(), Survey.id.desc())
            .limit(limit)
        ).scalars()
    )


def response_counts(survey_ids: list[int]) -> dict[int, int]:
    """Responses per survey (complete and partial)."""
    if not survey_ids:
        return {}
    rows = db.session.execute(
        db.select(Response.survey_id, db.func.count())
        .where(Response.survey_id.in_(survey_ids))
        .group_by(Response.survey_id)
    )
    return {survey_id: count for survey_id, count in rows}


def question_answer_counts(survey: Survey) -> dict[int, int]:
    """Responses that answered each question of the survey."""
    rows = db.session.execute(
        db.select(Answer.question_id, db.func.count(db.distinct(Answer.response_id)))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.survey_id == survey.id)
        .group_by(Answer.question_id)
    )
    return {question_id: count for question_id, count in rows}


def option_answer_counts(question: Question) -> dict[int, int]:
    """Answer rows per option and per matrix item of one question."""
    counts: dict[int, int] = {}
    for column in (Answer.option_id, Answer.item_id):
        rows = db.session.execute(
            db.select(column, db.func.count())
            .where(Answer.question_id == question.id, column.is_not(None))
            .group_by(column)
        )
        for option_id, count in rows:
            counts[option_id] = counts.get(option_id, 0) + count
    return counts
