"""The participant: a pseudonym and a keyed hash of a phone or e-mail, never the contact itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db


class Participant(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy builds db.Model at run time
    """A pseudonymous person known to an organisation (contact, check-in,
    or "remember me"). Only a salted hash of phone/e-mail is kept; the
    pseudonym (participants/pseudonyms.py) is how organisers name them."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("organisation_id", "identity_hash"),
        # A repeated pseudonym would make the owner's erasure look-up ambiguous.
        UniqueConstraint("organisation_id", "pseudonym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    identity_hash: Mapped[str | None] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Right to erasure: the hash is removed and this is set; responses keep
    # counting in aggregates but can no longer be tied to the person.
    erased_at: Mapped[datetime | None]
