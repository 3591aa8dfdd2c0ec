"""Responses and their answers in long format (participants: participants/models.py).

Answers are one row per answer (never one column per question) so every
summary is a ``GROUP BY question_id, option_id`` over one indexed table.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, utcnow
from ..extensions import db
from ..participants.models import Participant


class ResponseStatus(str, enum.Enum):
    PARTIAL = "partial"
    COMPLETE = "complete"


class Channel(str, enum.Enum):
    LINK = "link"
    QR = "qr"
    EMBED = "embed"
    INVITATION = "invitation"
    PAPER = "paper"
    KIOSK = "kiosk"
    OFFLINE_APP = "offline_app"
    API = "api"


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_status", "survey_id", "status"),
        Index("ix_responses_survey_submitted", "survey_id", "submitted_at"),
        # Complete responses not yet folded into the tally (analytics/tally.py).
        Index(
            "ix_responses_survey_unfolded",
            "survey_id",
            "id",
            sqlite_where=text("status = 'complete' AND tally_batch IS NULL"),
            postgresql_where=text("status = 'complete' AND tally_batch IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # Idempotency key sent with every submission: a retry or double click
    # hits this unique constraint instead of storing a second response.
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.PARTIAL.value)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.LINK.value)
    language: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # Stored at submission because "submitted - started" has no portable SQL
    # spelling across SQLite and PostgreSQL; medians then aggregate directly.
    duration_seconds: Mapped[int | None]
    last_page: Mapped[int | None]
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    # Hash of a resume token given to the resident for a partial response.
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(64))
    # Never set for anonymous surveys (no IP, user agent or link token).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="SET NULL", use_alter=True), index=True
    )
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    # Hash of a per-browser cookie, for "one response per browser" and for
    # flagging suspected duplicates.
    browser_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The tally fold that counted this complete response; NULL = not yet folded.
    tally_batch: Mapped[int | None] = mapped_column(BigInteger)
    # A complete response's answers as one JSON text (responses/sheets.py),
    # written in the same statement that completes it; exports read this
    # instead of pivoting the long answers. Deferred: only exports need it.
    sheet: Mapped[str | None] = mapped_column(Text, deferred=True)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    participant: Mapped[Participant | None] = relationship()


class Answer(db.Model):
    """One answer: a chosen option, a matrix cell, a number, a date or text.

    - single/multiple choice, yes/no, Likert: option_id (+ value_num = score)
    - matrix: item_id (the row) + option_id (+ value_num)
    - rating 0-10, stars, number: value_num
    - ranking: option_id + value_num = rank (1 = first)
    - date: value_text ISO date + value_num = days since 1970-01-01
    - text, "other, please specify": value_text (with option_id for other)
    """

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_question_option", "question_id", "option_id"),
        Index("ix_answers_question_item_option", "question_id", "item_id", "option_id"),
        Index("ix_answers_question_value", "question_id", "value_num"),
        # "Latest text answers of a question" without scanning its other answers.
        Index(
            "ix_answers_question_text",
            "question_id",
            "id",
            sqlite_where=text("value_text IS NOT NULL"),
            postgresql_where=text("value_text IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(BigId, ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("options.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("options.id", ondelete="CASCADE"))
    value_num: Mapped[float | None]
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
