"""What the programme report reads beyond the metric set: the linked surveys
with their complete responses per channel in the window (one GROUP BY), and
the follow-up actions of the window with the feedback they answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..programmes.models import FollowUpAction, ProgrammeSurvey
from ..programmes.windows import Window
from ..responses.models import Response
from ..surveys.models import Survey


@dataclass
class LinkedSurvey:
    survey: Survey
    series: str | None
    wave: int | None
    responses: int  # complete responses submitted in the window
    channels: dict[str, int]


def linked_surveys(programme_id: int, start, end) -> list[LinkedSurvey]:
    """The programme's surveys (by series, wave, id) with their complete responses in [start, end)."""
    links = db.session.execute(
        select(ProgrammeSurvey, Survey)
        .join(Survey, Survey.id == ProgrammeSurvey.survey_id)
        .where(ProgrammeSurvey.programme_id == programme_id)
        .order_by(ProgrammeSurvey.series, ProgrammeSurvey.wave, ProgrammeSurvey.survey_id)
    ).all()
    if not links:
        return []
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(Response.survey_id, Response.channel, func.count())
        .where(
            Response.survey_id.in_([survey.id for _, survey in links]),
            Response.status == "complete",
            Response.submitted_at >= start,
            Response.submitted_at < end,
        )
        .group_by(Response.survey_id, Response.channel)
    ).all()
    for survey_id, channel, n in rows:
        counts.setdefault(survey_id, {})[channel] = int(n)
    return [
        LinkedSurvey(survey, link.series, link.wave, sum(counts.get(survey.id, {}).values()), counts.get(survey.id, {}))
        for link, survey in links
    ]


def actions_in(programme_id: int, window: Window) -> list[FollowUpAction]:
    """Actions dated in the window, oldest first, with their feedback loaded in one more query."""
    return (
        db.session.execute(
            select(FollowUpAction)
            .options(selectinload(FollowUpAction.feedback))
            .where(
                FollowUpAction.programme_id == programme_id,
                FollowUpAction.action_date >= window.start,
                FollowUpAction.action_date <= window.end,
            )
            .order_by(FollowUpAction.action_date, FollowUpAction.id)
        )
        .scalars()
        .all()
    )
