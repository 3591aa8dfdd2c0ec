"""Reads on participants: the owner's look-up and everything held about one
person (a subject access request)."""

from __future__ import annotations

from ..extensions import db
from ..orgs.models import Organisation
from . import pseudonyms
from .identity import identity_hash
from .models import Participant


def find(organisation: Organisation, raw: str) -> Participant | None:
    """The participant for a phone/e-mail or a pseudonym ("P-7F3A2C9B1D"); None
    when unknown. Raises IdentityError when ``raw`` is none of these."""
    text = (raw or "").strip()
    if pseudonyms.is_pseudonym(text):
        return db.session.execute(
            db.select(Participant).filter_by(organisation_id=organisation.id, pseudonym=text.upper())
        ).scalar_one_or_none()
    return db.session.execute(
        db.select(Participant).filter_by(
            organisation_id=organisation.id, identity_hash=identity_hash(organisation.participant_salt, text)
        )
    ).scalar_one_or_none()


def export(participant: Participant) -> dict:
    """Everything Suara holds about one participant (for a subject access request)."""
    from ..programmes.models import Activity, Attendance, FeedbackItem
    from ..responses.models import Answer, Response
    from ..surveys.models import Option, Question, Survey

    checkins = db.session.execute(
        db.select(Activity.title, Activity.held_on, Attendance.channel, Attendance.checked_in_at)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.participant_id == participant.id)
        .order_by(Attendance.checked_in_at)
    ).all()
    responses = (
        db.session.execute(db.select(Response).where(Response.participant_id == participant.id).order_by(Response.id))
        .scalars()
        .all()
    )
    survey_titles = {
        s.id: s.text("title", s.default_language)
        for s in db.session.execute(db.select(Survey).where(Survey.id.in_({r.survey_id for r in responses}))).scalars()
    }
    answers = (
        db.session.execute(
            db.select(Answer.response_id, Question.code, Option.code, Answer.value_num, Answer.value_text)
            .join(Question, Question.id == Answer.question_id)
            .outerjoin(Option, Option.id == Answer.option_id)
            .where(Answer.response_id.in_([r.id for r in responses]))
            .order_by(Answer.id)
        ).all()
        if responses
        else []
    )
    by_response: dict[int, list] = {}
    for response_id, code, option, num, text in answers:
        by_response.setdefault(response_id, []).append({"question": code, "option": option, "value": num, "text": text})
    feedback = db.session.execute(
        db.select(FeedbackItem.source, FeedbackItem.text, FeedbackItem.received_at)
        .where(FeedbackItem.participant_id == participant.id)
        .order_by(FeedbackItem.id)
    ).all()
    return {
        "pseudonym": participant.pseudonym,
        "created_at": participant.created_at.isoformat(),
        "erased_at": participant.erased_at.isoformat() if participant.erased_at else None,
        "identity": "not stored in clear: only a keyed hash of the phone number or e-mail address"
        if participant.identity_hash
        else None,
        "check_ins": [
            {"activity": t, "held_on": d.isoformat(), "how": c, "at": at.isoformat()} for t, d, c, at in checkins
        ],
        "responses": [
            {
                "survey": survey_titles.get(r.survey_id),
                "status": r.status,
                "channel": r.channel,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "answers": by_response.get(r.id, []),
            }
            for r in responses
        ],
        "feedback": [{"source": s, "text": t, "received_at": at.isoformat()} for s, t, at in feedback],
    }
