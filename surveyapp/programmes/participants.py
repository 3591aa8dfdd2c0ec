"""Pseudonymous participants: hashing of phone/e-mail, look-up, export and erasure.

The identity hash comes from responses/identity.py, shared with invitations,
so the same phone gives the same participant within one organisation
whichever way the person took part, and nothing comparable across them.
"""

from __future__ import annotations

from ..database import utcnow
from ..extensions import db
from ..orgs.models import Organisation
from ..responses import pseudonyms
from ..responses.identity import IdentityError, normalise_identity  # noqa: F401  (re-exported)
from ..responses.identity import identity_hash as shared_identity_hash
from ..responses.models import Answer, Participant, Response


def identity_hash(organisation: Organisation, raw: str) -> str:
    return shared_identity_hash(organisation.participant_salt, raw)


def find(organisation: Organisation, raw: str) -> Participant | None:
    """The participant for a phone/e-mail or a pseudonym ("P-7F3A2C9B1D"); None when unknown."""
    text = (raw or "").strip()
    if pseudonyms.is_pseudonym(text):
        return db.session.execute(
            db.select(Participant).filter_by(organisation_id=organisation.id, pseudonym=text.upper())
        ).scalar_one_or_none()
    return db.session.execute(
        db.select(Participant).filter_by(
            organisation_id=organisation.id, identity_hash=identity_hash(organisation, text)
        )
    ).scalar_one_or_none()


def get_or_create(organisation: Organisation, raw: str) -> Participant:
    """Flushes (does not commit) a new participant when the identity is new."""
    digest = identity_hash(organisation, raw)
    participant = db.session.execute(
        db.select(Participant).filter_by(organisation_id=organisation.id, identity_hash=digest)
    ).scalar_one_or_none()
    if participant is None:
        participant = Participant(organisation_id=organisation.id, identity_hash=digest)
        pseudonyms.add_all([participant])
    return participant


def export(participant: Participant) -> dict:
    """Everything Suara holds about one participant (for a subject access request)."""
    from ..surveys.models import Option, Question, Survey
    from .models import Activity, Attendance, FeedbackItem

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


def erase(participant: Participant) -> None:
    """Right to erasure: drop the identity hash, unlink attendance, feedback and
    invitations (their contact details are blanked), mark the participant erased.

    Rows stay, now anonymous, so counts and aggregates do not change; responses
    stay linked to the pseudonym, which no longer leads to a person.
    """
    from ..collect.models import SurveyInvitation
    from .models import Attendance, FeedbackItem

    db.session.execute(
        db.update(Attendance).where(Attendance.participant_id == participant.id).values(participant_id=None)
    )
    db.session.execute(
        db.update(FeedbackItem).where(FeedbackItem.participant_id == participant.id).values(participant_id=None)
    )
    db.session.execute(
        db.update(SurveyInvitation)
        .where(SurveyInvitation.participant_id == participant.id)
        .values(participant_id=None, name=None, email=None, phone=None)
    )
    participant.identity_hash = None
    participant.erased_at = utcnow()
    db.session.commit()
