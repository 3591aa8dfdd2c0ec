"""Programmes and what hangs off them: linked surveys, population margins,
activities and attendance, feedback and follow-up actions, outcome
indicators and stories.

Every table carries ``organisation_id`` so ``access.get_owned_or_404`` checks
ownership in one step, without a join.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, utcnow
from ..extensions import db

DIMENSIONS = ("age_band", "gender", "neighbourhood", "disability", "home_language")


def new_public_token() -> str:
    # 96 bits: public pages and check-in links must not be guessable.
    return secrets.token_urlsafe(12)


class ActivityKind(str, enum.Enum):
    FORUM = "forum"
    VOLUNTEERING = "volunteering"
    TRAINING = "training"
    SERVICE = "service"
    OTHER = "other"


class FeedbackSource(str, enum.Enum):
    SURVEY = "survey"
    FORM = "form"
    ACTIVITY = "activity"


class Sentiment(str, enum.Enum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class ActionStatus(str, enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    area: Mapped[str | None] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    community_size: Mapped[int | None]
    # One token serves the public feedback form and the "you said, we did"
    # page; each page is also switched on separately (opt-in).
    public_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_token)
    public_page_enabled: Mapped[bool] = mapped_column(default=False)
    feedback_form_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    populations: Mapped[list[PopulationMargin]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(PopulationMargin.dimension, PopulationMargin.id)",
    )
    links: Mapped[list[ProgrammeSurvey]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", passive_deletes=True
    )


class PopulationMargin(db.Model):
    """Population of one category of a dimension (e.g. gender/female: 2100)."""

    __tablename__ = "programme_populations"
    __table_args__ = (UniqueConstraint("programme_id", "dimension", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(48))
    category: Mapped[str] = mapped_column(String(64))
    population: Mapped[int]

    programme: Mapped[Programme] = relationship(back_populates="populations")


class ProgrammeSurvey(db.Model):
    """A survey in a programme. survey_id is the primary key, so a survey
    belongs to at most one programme by construction."""

    __tablename__ = "programme_surveys"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    # Waves of the same instrument share a series name; wave 1 is "before".
    series: Mapped[str | None] = mapped_column(String(64))
    wave: Mapped[int | None]
    # A post-activity satisfaction survey.
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="links")
    survey: Mapped[Survey] = relationship()  # noqa: F821
    activity: Mapped[Activity | None] = relationship()


class Activity(db.Model):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_programme_held", "programme_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16), default=ActivityKind.FORUM.value)
    held_on: Mapped[date]
    place: Mapped[str | None] = mapped_column(String(160))
    # Everyone present, counted at the door (check-ins included); people
    # beyond the check-ins count as anonymous attendance.
    head_count: Mapped[int | None]
    checkin_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_token)
    checkin_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()


class Attendance(db.Model):
    """One person at one activity. participant_id is NULL once erased: the
    row keeps counting as anonymous attendance."""

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("activity_id", "participant_id"),
        Index("ix_attendances_participant", "participant_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="qr")  # qr | list
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)


feedback_actions = Table(
    "feedback_actions",
    db.Model.metadata,
    Column("feedback_id", ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("follow_up_actions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FeedbackItem(db.Model):
    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_items_programme_received", "programme_id", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    # Survey feedback keeps a link back to the answer it was read from;
    # the unique constraint makes reading it again a no-op.
    answer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("answers.id", ondelete="SET NULL"), unique=True)
    response_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("responses.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    topic: Mapped[str | None] = mapped_column(String(64))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    # Given with a top-two-box satisfaction answer or a recommend score of
    # 9-10 in the same response; an organiser's tag overrides it.
    auto_positive: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    actions: Mapped[list[FollowUpAction]] = relationship(
        secondary=feedback_actions, back_populates="feedback", order_by="FollowUpAction.action_date"
    )


class FollowUpAction(db.Model):
    __tablename__ = "follow_up_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.PLANNED.value)
    action_date: Mapped[date]
    team: Mapped[str | None] = mapped_column(String(120))
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    feedback: Mapped[list[FeedbackItem]] = relationship(secondary=feedback_actions, back_populates="actions")


class OutcomeIndicator(db.Model):
    __tablename__ = "outcome_indicators"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    # Matches questions with metric_role "outcome:<code>".
    code: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str | None] = mapped_column(String(40))
    baseline: Mapped[float | None]
    target: Mapped[float | None]

    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="IndicatorValue.observed_on",
    )


class IndicatorValue(db.Model):
    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("outcome_indicators.id", ondelete="CASCADE"), index=True)
    observed_on: Mapped[date]
    value: Mapped[float]
    note: Mapped[str | None] = mapped_column(String(240))

    indicator: Mapped[OutcomeIndicator] = relationship(back_populates="values")


class Story(db.Model):
    __tablename__ = "programme_stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    told_on: Mapped[date]
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
