"""Pseudonymous participants: one per person per organisation.

The identity is an HMAC-SHA256 of the normalised e-mail address (or, when
there is none, the phone number) keyed with the organisation's
``participant_salt``, so the same person invited to several surveys is one
participant (engagement frequency can be counted) while a leaked hash
cannot be matched across organisations or reversed without the salt.
"""
from __future__ import annotations

import hashlib
import hmac

from ..extensions import db
from ..orgs.models import Organisation
from ..responses.models import Participant


def identity_hash(organisation: Organisation, contact: str) -> str:
    return hmac.new(organisation.participant_salt.encode(), contact.encode(), hashlib.sha256).hexdigest()


def pseudonym(digest: str) -> str:
    """A short label such as ``P-7F3A2C``; derived from the hash, so stable."""
    return "P-" + digest[:6].upper()


def identities(organisation: Organisation, email: str | None, phone: str | None) -> list[str]:
    """The person's hashes, preferred first (e-mail, then phone)."""
    return [identity_hash(organisation, value) for value in (f"email:{email}" if email else None,
                                                             f"phone:{phone}" if phone else None) if value]


def resolve(organisation: Organisation, people: list[tuple[str | None, str | None]]) -> list[Participant]:
    """The participant for each (email, phone), creating the missing ones
    in the session (no commit). A person known by either their e-mail or
    their phone number is the same participant."""
    wanted = {h for email, phone in people for h in identities(organisation, email, phone)}
    known: dict[str, Participant] = {}
    hashes = sorted(wanted)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start:start + 500]
        for participant in db.session.execute(
            db.select(Participant).where(Participant.organisation_id == organisation.id,
                                         Participant.identity_hash.in_(chunk))
        ).scalars():
            known[participant.identity_hash] = participant
    out = []
    for email, phone in people:
        mine = identities(organisation, email, phone)
        participant = next((known[h] for h in mine if h in known), None)
        if participant is None:
            participant = Participant(organisation_id=organisation.id, identity_hash=mine[0],
                                      pseudonym=pseudonym(mine[0]))
            db.session.add(participant)
        for h in mine:
            known.setdefault(h, participant)
        out.append(participant)
    return out
