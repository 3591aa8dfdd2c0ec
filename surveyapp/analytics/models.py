"""The tally: running totals of a survey's complete responses, folded in
batches after submission (tally.py), so the full summary reads a few small
tables instead of scanning every answer.

Key columns are NOT NULL with 0 standing for "none" (no item, no option, no
value): NULLs are distinct in unique indexes on both databases, which would
defeat ``ON CONFLICT ... DO UPDATE``. Counts are BigInteger.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def _survey_fk():
    return mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)


def _question_fk():
    return mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))


class TallyState(db.Model):
    """One row per folded survey: how many complete responses the tallies
    hold, and a generation bumped by every reset (part of the cache key)."""

    __tablename__ = "survey_tally_state"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    responses: Mapped[int] = mapped_column(BigInteger, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    folded_at: Mapped[datetime | None]


class TallyAnswer(db.Model):
    """Answers per (question, item, option, value): choice and matrix
    counts, ranks (value = rank) and value tables (rating, number, date)."""

    __tablename__ = "survey_tally_answers"
    __table_args__ = (
        UniqueConstraint(
            "question_id", "item_id", "option_id", "has_value", "value_num", name="uq_survey_tally_answers_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = _survey_fk()
    question_id: Mapped[int] = _question_fk()
    item_id: Mapped[int] = mapped_column(Integer, default=0)
    option_id: Mapped[int] = mapped_column(Integer, default=0)
    has_value: Mapped[bool] = mapped_column(Boolean, default=False)
    value_num: Mapped[float] = mapped_column(Float, default=0.0)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class TallyQuestion(db.Model):
    """Per question: responses that answered it (multi, matrix) and
    non-empty text answers (text questions, "other" texts)."""

    __tablename__ = "survey_tally_questions"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    survey_id: Mapped[int] = _survey_fk()
    respondents: Mapped[int] = mapped_column(BigInteger, default=0)
    texts: Mapped[int] = mapped_column(BigInteger, default=0)


class TallyResponse(db.Model):
    """Complete responses per UTC quarter hour (the finest step of any time
    zone offset; channel and language '') for the time series at whichever
    offset the organisation has when the summary is read, and per channel
    and language (slot -1) for the splits. Kept apart, the two stay small:
    a quarter hour times every channel and language would multiply."""

    __tablename__ = "survey_tally_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "slot", "channel", "language", name="uq_survey_tally_responses_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)  # quarter hours since 1970-01-01 00:00 UTC
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class TallyDuration(db.Model):
    """Complete responses per completion time in seconds (for the median)."""

    __tablename__ = "survey_tally_durations"
    __table_args__ = (UniqueConstraint("survey_id", "seconds", name="uq_survey_tally_durations_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    seconds: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class TallyWord(db.Model):
    """Word counts of text questions over every folded answer. Stop words
    are kept here and dropped when read, so a change of the survey's
    languages needs no refold."""

    __tablename__ = "survey_tally_words"
    __table_args__ = (UniqueConstraint("question_id", "word", name="uq_survey_tally_words_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = _survey_fk()
    question_id: Mapped[int] = _question_fk()
    word: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
