"""The one pseudonym scheme for participants: ``P-`` and ten random hex digits,
unique within an organisation.

Random, not derived from the identity hash: after erasure the pseudonym must
lead nowhere, and a prefix of the hash would let anyone holding the salt
confirm a guessed phone number. Forty bits make a repeat rare (the birthday
bound is about 1 in 200,000 for 10,000 participants in one organisation); the
unique constraint ``(organisation_id, pseudonym)`` makes it impossible, and
``add_all`` draws again when the database refuses one. Six-digit pseudonyms
given out before migration 0009p stay valid.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from .models import Participant

PREFIX = "P-"
DIGITS = 10
# Draws before giving up: a repeat twice running is already ~1e-10 likely, so
# failing this often means the conflict is another one (the identity hash).
ATTEMPTS = 5
_PATTERN = re.compile(rf"P-(?:[0-9A-F]{{6}}|[0-9A-F]{{{DIGITS}}})", re.IGNORECASE)
_CHUNK = 500


def _random_digits() -> str:
    """The random source (tests replace it to force a repeat)."""
    return secrets.token_hex(DIGITS // 2).upper()


def draw() -> str:
    """A new pseudonym such as ``P-7F3A2C9B1D`` (not yet checked for use)."""
    return PREFIX + _random_digits()


def is_pseudonym(text: str) -> bool:
    """Whether ``text`` has the shape of a pseudonym (either length, any case)."""
    return _PATTERN.fullmatch(text) is not None


def add_all(participants: Sequence[Participant]) -> None:
    """Give each new participant (not yet in the session) a pseudonym unused
    in its organisation, add them to the session and flush (no commit).

    The flush runs in a savepoint: when the database refuses a pseudonym
    (one drawn twice, or taken meanwhile by another request), only those
    taken are drawn again and the rest of the caller's transaction is kept.
    Raises IntegrityError when the refusal is not about a pseudonym (or
    after ATTEMPTS draws).
    """
    if not participants:
        return
    # SQLite: a real BEGIN first, or the savepoint would be the outermost
    # transaction and releasing it would commit the caller's work.
    begin_write(db.session)
    retry = list(participants)
    for attempt in range(ATTEMPTS):
        _draw_distinct(participants, retry)
        try:
            with db.session.begin_nested():
                db.session.add_all(participants)
                db.session.flush()
        except IntegrityError:
            retry = _taken(participants)
            if not retry or attempt == ATTEMPTS - 1:
                raise
            for participant in participants:
                participant.id = None  # type: ignore[assignment]  # rolled back: insert afresh
        else:
            return


def _draw_distinct(participants: Sequence[Participant], retry: list[Participant]) -> None:
    """New pseudonyms for ``retry``, none repeated within ``participants``."""
    redraw = {id(p) for p in retry}
    chosen = {(p.organisation_id, p.pseudonym) for p in participants if id(p) not in redraw}
    for participant in retry:
        while True:
            participant.pseudonym = draw()
            if (participant.organisation_id, participant.pseudonym) not in chosen:
                chosen.add((participant.organisation_id, participant.pseudonym))
                break


def _taken(participants: Sequence[Participant]) -> list[Participant]:
    """Those of ``participants`` whose pseudonym a stored participant has."""
    taken: set[tuple[int, str]] = set()
    for organisation_id in {p.organisation_id for p in participants}:
        names = sorted({p.pseudonym for p in participants if p.organisation_id == organisation_id})
        for start in range(0, len(names), _CHUNK):
            taken.update(
                (organisation_id, name)
                for name in db.session.execute(
                    db.select(Participant.pseudonym).where(
                        Participant.organisation_id == organisation_id,
                        Participant.pseudonym.in_(names[start : start + _CHUNK]),
                    )
                ).scalars()
            )
    return [p for p in participants if (p.organisation_id, p.pseudonym) in taken]
