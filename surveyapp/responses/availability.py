"""Whether a survey can be answered now: open, not yet open, closed, full."""

from __future__ import annotations

import enum
from datetime import datetime

from ..database import utcnow
from ..extensions import db
from ..surveys.models import Survey, SurveyStatus
from .models import Response, ResponseStatus


class State(str, enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"  # draft or template: answers 404, as if it did not exist
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    FULL = "full"


def complete_count(survey_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Response)
        .where(Response.survey_id == survey_id, Response.status == ResponseStatus.COMPLETE.value)
    ).scalar_one()


def state(survey: Survey | None, now: datetime | None = None) -> State:
    """The survey's state for residents; times are naive UTC."""
    if survey is None or survey.is_template or survey.status == SurveyStatus.DRAFT.value:
        return State.UNKNOWN
    now = now or utcnow()
    if survey.archived_at is not None or survey.status != SurveyStatus.OPEN.value:
        return State.CLOSED
    if survey.closes_at is not None and now >= survey.closes_at:
        return State.CLOSED
    if survey.opens_at is not None and now < survey.opens_at:
        return State.NOT_YET_OPEN
    if is_full(survey):
        return State.FULL
    return State.OPEN


def is_full(survey: Survey) -> bool:
    """The survey has as many complete responses as its cap."""
    return survey.response_cap is not None and complete_count(survey.id) >= survey.response_cap
