"""Personal invitations: import, links, sending, reminders, progress.

Links. Only ``sha256(token)`` is stored, and a link is found by it. The
clear token is a signature of the invitation's id and creation time
(surveyapp/signing.py), so the same link can be put into a reminder (or a
WhatsApp export) without keeping it in the database: a database leak alone
hands out no live link. After a rotation of SECRET_KEY the link is derived
again under the key it was first made with (kept in SECRET_KEY_FALLBACKS),
so a reminder repeats the link the person already has.

Progress. ``opened_at`` is set when the link is opened, ``started_at`` when
the first page is saved and ``completed_at`` when the response completes
(``mark_started`` / ``mark_completed``, called by the answering flow).
For an anonymous survey the response stores neither invitation_id nor
participant_id; the invitation is still marked completed (so it cannot be
used twice and response rates stay right) but its ``response_id`` stays
empty, so no stored field ties the answers to the contact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from .. import signing
from ..collect.models import SurveyInvitation
from ..database import utcnow
from ..extensions import db
from ..mail import send_mail
from ..orgs.models import Organisation
from ..participants.services import get_or_create_all
from ..security import hash_token, new_token
from ..surveys.models import Survey
from .contacts import Contact

TOKEN_LENGTH = 32


@dataclass
class ImportResult:
    created: int
    skipped: int  # already invited to this survey, or twice in the file


def _text(invitation: SurveyInvitation) -> str:
    created = invitation.created_at.strftime("%Y%m%d%H%M%S%f")
    return f"{invitation.id}|{invitation.survey_id}|{created}"


def new_link_token(invitation: SurveyInvitation) -> str:
    """The clear token of a new invitation, under the current key; store
    its hash."""
    return signing.mac(signing.INVITATION, _text(invitation), TOKEN_LENGTH)


def link_token(invitation: SurveyInvitation) -> str:
    """The clear token already handed out (derived, never stored)."""
    return signing.stored(signing.INVITATION, _text(invitation), invitation.token_hash, TOKEN_LENGTH)


def find_by_token(token: str | None) -> SurveyInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        db.select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(token))
    ).scalar_one_or_none()


def import_contacts(survey: Survey, organisation: Organisation, contacts: list[Contact]) -> ImportResult:
    """One invitation (and participant) per new contact, in one transaction."""
    people = get_or_create_all(organisation, [(c.email, c.phone) for c in contacts])
    db.session.flush()
    already = set(
        db.session.execute(
            db.select(SurveyInvitation.participant_id).where(SurveyInvitation.survey_id == survey.id)
        ).scalars()
    )
    fresh: list[SurveyInvitation] = []
    skipped = 0
    now = utcnow()
    for contact, participant in zip(contacts, people):
        if participant.id in already:
            skipped += 1
            continue
        already.add(participant.id)
        fresh.append(
            SurveyInvitation(
                survey_id=survey.id,
                participant_id=participant.id,
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                segments=contact.segments,
                created_at=now,
                # Placeholder until the id (part of the derived token) is known.
                token_hash=hash_token(new_token()),
            )
        )
    db.session.add_all(fresh)
    db.session.flush()
    for invitation in fresh:
        invitation.token_hash = hash_token(new_link_token(invitation))
    db.session.commit()
    return ImportResult(created=len(fresh), skipped=skipped)


def counts(survey_id: int) -> dict[str, int]:
    """invited, sent, opened, started, completed and reminded, in one query."""
    row = db.session.execute(
        db.select(
            db.func.count(),
            db.func.count(SurveyInvitation.sent_at),
            db.func.count(SurveyInvitation.opened_at),
            db.func.count(SurveyInvitation.started_at),
            db.func.count(SurveyInvitation.completed_at),
            db.func.count(SurveyInvitation.last_reminded_at),
        ).where(SurveyInvitation.survey_id == survey_id)
    ).one()
    return dict(zip(("invited", "sent", "opened", "started", "completed", "reminded"), row))


def _mail(survey: Survey, organisation: Organisation, invitation: SurveyInvitation, link: str, reminder: bool) -> None:
    with force_locale(survey.default_language):
        title = survey.text("title", survey.default_language)
        greeting = _("Hello %(name)s,", name=invitation.name) if invitation.name else _("Hello,")
        if reminder:
            subject = _("Reminder: %(title)s", title=title)
            intro = _(
                '%(org)s would still like to hear from you in the survey "%(title)s".',
                org=organisation.name,
                title=title,
            )
        else:
            subject = _("Your invitation: %(title)s", title=title)
            intro = _('%(org)s invites you to answer the survey "%(title)s".', org=organisation.name, title=title)
        body = "\n\n".join(
            [
                greeting,
                intro,
                _("This link is for you only; please do not pass it on:\n%(link)s", link=link),
                _("Thank you for your time."),
            ]
        )
    send_mail(invitation.email, subject, body)


def send(survey: Survey, organisation: Organisation, link_for: Callable[[str], str], *, reminder: bool = False) -> int:
    """E-mail the invitations not sent yet (or, with ``reminder``, remind
    those sent but not completed). Each row is committed as it is sent, so
    a failure part-way keeps what was done. Returns how many were sent."""
    query = (
        db.select(SurveyInvitation)
        .where(
            SurveyInvitation.survey_id == survey.id,
            SurveyInvitation.email.is_not(None),
            SurveyInvitation.completed_at.is_(None),
        )
        .order_by(SurveyInvitation.id)
    )
    query = query.where(SurveyInvitation.sent_at.is_not(None) if reminder else SurveyInvitation.sent_at.is_(None))
    sent = 0
    for invitation in db.session.execute(query).scalars().all():
        _mail(survey, organisation, invitation, link_for(link_token(invitation)), reminder)
        now = utcnow()
        if reminder:
            invitation.reminder_count = (invitation.reminder_count or 0) + 1
            invitation.last_reminded_at = now
        else:
            invitation.sent_at = now
        db.session.commit()
        sent += 1
    return sent


def export_rows(survey: Survey, link_for: Callable[[str], str], *, pending_only: bool) -> list[tuple[str, str, str]]:
    """(name, contact, link) for handing out by WhatsApp or SMS. Exported
    invitations count as sent; exporting an already sent one for a
    reminder counts as a reminder."""
    query = db.select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id).order_by(SurveyInvitation.id)
    if pending_only:
        query = query.where(SurveyInvitation.completed_at.is_(None))
    rows = []
    now = utcnow()
    for invitation in db.session.execute(query).scalars():
        rows.append(
            (invitation.name or "", invitation.phone or invitation.email or "", link_for(link_token(invitation)))
        )
        if invitation.completed_at is not None:
            continue
        if invitation.sent_at is None:
            invitation.sent_at = now
        elif pending_only:
            invitation.reminder_count = (invitation.reminder_count or 0) + 1
            invitation.last_reminded_at = now
    db.session.commit()
    return rows


def mark_opened(invitation: SurveyInvitation) -> None:
    """The first opening of a personal link, recorded by a job with the time
    it happened: the GET that opens it only reads (surveyapp/jobs/)."""
    if invitation.opened_at is None:
        from ..jobs import run_later

        run_later("invitation_opened", invitation.id, utcnow().isoformat())


def record_opened(invitation_id: int, at: str) -> None:
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, SurveyInvitation.opened_at.is_(None))
        .values(opened_at=datetime.fromisoformat(at))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def mark_started(invitation_id: int, *, commit: bool = True) -> None:
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, SurveyInvitation.started_at.is_(None))
        .values(started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()


def mark_completed(invitation_id: int, response_id: int | None, *, commit: bool = True) -> bool:
    """Mark the invitation answered; ``response_id`` None for anonymous
    surveys. False when it was already completed (by another response)."""
    now = utcnow()
    result = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, SurveyInvitation.completed_at.is_(None))
        .values(
            completed_at=now, response_id=response_id, started_at=db.func.coalesce(SurveyInvitation.started_at, now)
        )
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return result.rowcount == 1


def iter_page(survey_id: int, page: int, per_page: int = 50) -> Iterator[tuple[SurveyInvitation, str | None]]:
    """(invitation, participant pseudonym) for one page of the list."""
    from ..participants.models import Participant

    return db.session.execute(
        db.select(SurveyInvitation, Participant.pseudonym)
        .outerjoin(Participant, Participant.id == SurveyInvitation.participant_id)
        .where(SurveyInvitation.survey_id == survey_id)
        .order_by(SurveyInvitation.id)
        .limit(per_page)
        .offset(max(0, page - 1) * per_page)
    ).all()


def open_response_resume(survey: Survey, invitation: SurveyInvitation) -> str | None:
    """The resume token of a partial response begun through this
    invitation, so a second device continues it instead of starting
    another (non-anonymous surveys only: anonymous ones keep no link)."""
    from ..responses import tokens
    from ..responses.models import Response, ResponseStatus

    if survey.anonymous:
        return None
    response = db.session.execute(
        db.select(Response)
        .where(
            Response.invitation_id == invitation.id,
            Response.survey_id == survey.id,
            Response.status == ResponseStatus.PARTIAL.value,
        )
        .order_by(Response.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return tokens.resume_token_for(response) if response is not None else None


def after_accepted(survey: Survey, invitation: SurveyInvitation, response_id: int) -> None:
    """After the collect flow accepted a page sent through an invitation
    (never after a refused one): tie the response to the participant (not
    for anonymous surveys; a response begun here is tied already) and move
    the invitation to started / completed."""
    from ..responses import services
    from ..responses.models import Response, ResponseStatus

    response = db.session.get(Response, response_id, populate_existing=True)
    if response is None or response.survey_id != survey.id:
        return
    if response.invitation_id not in (None, invitation.id):
        return
    if not survey.anonymous and response.invitation_id is None:
        services.link_participant(response.id, invitation.participant_id, invitation.id)
    mark_started(invitation.id, commit=False)
    if response.status == ResponseStatus.COMPLETE.value:
        mark_completed(invitation.id, None if survey.anonymous else response.id, commit=False)
    db.session.commit()
