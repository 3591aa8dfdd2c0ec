"""Pseudonymous participants: one per person per organisation.

The identity is the shared hash of responses/identity.py (e-mail first, then
phone), so the same person invited to several surveys, or checked in at an
activity, is one participant and engagement frequency can be counted.
"""

from __future__ import annotations

from ..extensions import db
from ..orgs.models import Organisation
from ..responses import pseudonyms
from ..responses.identity import IdentityError
from ..responses.identity import identity_hash as shared_identity_hash
from ..responses.models import Participant


def identity_hash(organisation: Organisation, contact: str) -> str | None:
    """The shared hash (responses/identity.py), None for an unusable contact."""
    try:
        return shared_identity_hash(organisation.participant_salt, contact)
    except IdentityError:
        return None


def identities(organisation: Organisation, email: str | None, phone: str | None) -> list[str]:
    """The person's hashes, preferred first (e-mail, then phone)."""
    hashes = [identity_hash(organisation, value) for value in (email, phone) if value]
    return [h for h in hashes if h]


def resolve(organisation: Organisation, people: list[tuple[str | None, str | None]]) -> list[Participant]:
    """The participant for each (email, phone), creating the missing ones
    in the session (flushed, no commit). A person known by either their
    e-mail or their phone number is the same participant."""
    wanted = {h for email, phone in people for h in identities(organisation, email, phone)}
    known: dict[str, Participant] = {}
    hashes = sorted(wanted)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for participant in db.session.execute(
            db.select(Participant).where(
                Participant.organisation_id == organisation.id, Participant.identity_hash.in_(chunk)
            )
        ).scalars():
            known[participant.identity_hash] = participant
    out, new = [], []
    for email, phone in people:
        mine = identities(organisation, email, phone)
        participant = next((known[h] for h in mine if h in known), None)
        if participant is None:
            # A contact the shared normaliser cannot read (an odd phone
            # number) still gets a participant, just one nobody can match.
            digest = mine[0] if mine else None
            participant = Participant(organisation_id=organisation.id, identity_hash=digest)
            new.append(participant)
        for h in mine:
            known.setdefault(h, participant)
        out.append(participant)
    pseudonyms.add_all(new)
    return out
