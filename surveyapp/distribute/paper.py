"""Typing in paper questionnaires: one page, all questions, one POST.

Each entry form carries a fresh submission id, so a double click or a
browser retry stores the response once (responses.services.submit_whole
applies the same validation and exactly-once rules as the online flow).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..extensions import db
from ..responses import answering, outcomes, services
from ..responses.models import Channel, Response, ResponseStatus
from ..surveys.models import Survey
from ..surveys.visibility import active_pages


@dataclass
class Outcome:
    saved: bool = False
    repeated: bool = False
    count: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    raws: dict = field(default_factory=dict)
    status: int = 200
    submission_id: str | None = None


def entry_pages(survey: Survey):
    return active_pages(survey)


def entered_count(survey_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Response)
        .where(
            Response.survey_id == survey_id,
            Response.channel == Channel.PAPER.value,
            Response.status == ResponseStatus.COMPLETE.value,
        )
    ).scalar_one()


def read_form(survey: Survey, form) -> dict:
    """Raw answers to every question of the survey from one form."""
    raws = {}
    for number in range(1, answering.page_count(survey) + 1):
        raws.update(answering.read_page(survey, number, form))
    return raws


def enter(survey: Survey, form, lang: str) -> Outcome:
    submission_id = (form.get("submission_id") or "").strip()
    raws = read_form(survey, form)
    not_valid = _("This form is not valid any more. Please enter the response again.")
    match services.submit_whole(survey, raws, submission_id, Channel.PAPER.value, language=lang):
        case outcomes.Completed():
            return Outcome(saved=True, count=entered_count(survey.id))
        case outcomes.Duplicate():
            return Outcome(saved=True, repeated=True, count=entered_count(survey.id))
        case outcomes.Invalid(errors=errors):
            return Outcome(errors=dict(errors), raws=raws, status=422, submission_id=submission_id)
        case outcomes.Refused(reason=reason):
            return Outcome(errors={"": _refusal(reason)}, raws=raws, status=409, submission_id=submission_id)
        case outcomes.BadToken():
            return Outcome(errors={"": not_valid}, raws=raws, status=400)


def _refusal(reason: str) -> str:
    return {
        "closed": _("The survey is closed, so no more responses can be entered."),
        "not_yet_open": _("The survey is not open yet. Publish it before entering paper responses."),
        "full": _("The survey has reached its planned number of responses."),
        "unknown": _("The survey is a draft. Publish it before entering paper responses."),
    }.get(reason, _("This survey cannot take responses now."))
