"""Personal invitations to a survey (one link, one response each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, utcnow
from ..extensions import db


class SurveyInvitation(db.Model):
    """A contact invited to one survey. The contact details are kept so
    reminders can be sent; answers link only to the pseudonymous participant
    (and not at all in anonymous surveys)."""

    __tablename__ = "survey_invitations"
    __table_args__ = (Index("ix_survey_invitations_survey_completed", "survey_id", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Segment fields from the contact list (e.g. RW, gender) for reminders
    # and response rates per segment.
    segments: Mapped[dict] = mapped_column(JSON, default=dict)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    response_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("responses.id", ondelete="SET NULL"))

    survey: Mapped[Survey] = relationship()  # noqa: F821
