"""Reads about responses for respondent pages (aggregated in SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..surveys.models import Question
from .models import Answer, Response, ResponseStatus


@dataclass
class OptionCount:
    option_id: int
    code: str
    label: str
    count: int
    share: float  # 0..1 of the complete responses that answered


def choice_counts(question: Question, lang: str) -> tuple[list[OptionCount], int]:
    """Counts per option of a choice question over complete responses
    (one GROUP BY), and the number of complete responses that answered."""
    rows = db.session.execute(
        db.select(Answer.option_id, db.func.count(db.func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id, Response.status == ResponseStatus.COMPLETE.value)
        .group_by(Answer.option_id)
    ).all()
    total = db.session.execute(
        db.select(db.func.count(db.func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id, Response.status == ResponseStatus.COMPLETE.value)
    ).scalar_one()
    counts = dict(rows)
    out = [
        OptionCount(o.id, o.code, o.text(lang), counts.get(o.id, 0), (counts.get(o.id, 0) / total) if total else 0.0)
        for o in question.options
        if o.kind == "choice" and o.retired_at is None
    ]
    return out, total
