"""Writes on participants: the one get-or-create (every door a person comes in
by: invitations, check-ins, attendance lists) and erasure.

A person is found by the keyed hash of their contact (participants/identity.py),
so the same phone or e-mail is the same participant within one organisation and
nothing comparable across organisations.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..database import utcnow
from ..extensions import db
from ..orgs.models import Organisation
from . import pseudonyms
from .identity import IdentityError, identity_hash
from .models import Participant

_CHUNK = 500


def _hashes(organisation: Organisation, contacts: Sequence[str | None]) -> list[str]:
    """The readable contacts' hashes, in the caller's order of preference."""
    out = []
    for contact in contacts:
        if contact:
            try:
                out.append(identity_hash(organisation.participant_salt, contact))
            except IdentityError:
                pass
    return out


def get_or_create(organisation: Organisation, raw: str) -> Participant:
    """The participant for one phone number or e-mail address, created (flushed,
    not committed) when new. Raises IdentityError when ``raw`` is neither."""
    identity_hash(organisation.participant_salt, raw)  # refuse what cannot be read
    return get_or_create_all(organisation, [(raw,)])[0]


def get_or_create_all(organisation: Organisation, people: Sequence[Sequence[str | None]]) -> list[Participant]:
    """The participant for each person, given as their contacts in order of
    preference (e.g. (email, phone)); the missing ones are created in the session
    (flushed, no commit). A person known by any one of their contacts is that
    participant. A person whose contacts none can be read (an odd phone number)
    still gets a participant, just one nobody can match."""
    hashes_of = [_hashes(organisation, contacts) for contacts in people]
    wanted = sorted({h for mine in hashes_of for h in mine})
    known: dict[str, Participant] = {}
    for start in range(0, len(wanted), _CHUNK):
        for participant in db.session.execute(
            db.select(Participant).where(
                Participant.organisation_id == organisation.id,
                Participant.identity_hash.in_(wanted[start : start + _CHUNK]),
            )
        ).scalars():
            known[participant.identity_hash] = participant
    out, new = [], []
    for mine in hashes_of:
        participant = next((known[h] for h in mine if h in known), None)
        if participant is None:
            participant = Participant(organisation_id=organisation.id, identity_hash=mine[0] if mine else None)
            new.append(participant)
        for h in mine:
            known.setdefault(h, participant)
        out.append(participant)
    pseudonyms.add_all(new)
    return out


def erase(participant: Participant) -> None:
    """Right to erasure: drop the identity hash, unlink attendance, feedback and
    invitations (their contact details are blanked), mark the participant erased.

    Rows stay, now anonymous, so counts and aggregates do not change; responses
    stay linked to the pseudonym, which no longer leads to a person.
    """
    from ..collect.models import SurveyInvitation
    from ..programmes.models import Attendance, FeedbackItem

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
