"""Survey structure. Respondent-facing text is stored per language as a
JSON object ``{"id": "...", "en": "..."}`` so a survey can offer any set
of languages without a translations table join on every page render."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db

Translated = MutableDict.as_mutable(JSON)


class SurveyKind(str, enum.Enum):
    NEEDS_ASSESSMENT = "needs_assessment"
    SATISFACTION = "satisfaction"
    TRUST = "trust"
    COMMUNITY_RELATIONS = "community_relations"
    QUICK_POLL = "quick_poll"
    CUSTOM = "custom"


class SurveyStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


def new_public_token() -> str:
    # 12 url-safe characters = 72 bits: unguessable, still short for QR codes.
    return secrets.token_urlsafe(9)


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default=SurveyKind.CUSTOM.value)
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.DRAFT.value)
    languages: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=lambda: ["id"])
    default_language: Mapped[str] = mapped_column(String(8), default="id")
    title: Mapped[dict] = mapped_column(Translated, default=dict)
    description: Mapped[dict] = mapped_column(Translated, default=dict)
    welcome_text: Mapped[dict] = mapped_column(Translated, default=dict)
    thankyou_text: Mapped[dict] = mapped_column(Translated, default=dict)
    public_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_token)
    anonymous: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    response_cap: Mapped[int | None]
    # Collection and display switches (minimum seconds, one per browser,
    # public results ...): read through Survey.setting() with defaults.
    settings: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    is_template: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pages: Mapped[list[Page]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Page.position"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Question.position"
    )

    def text(self, field: str, lang: str) -> str:
        return pick_language(getattr(self, field), lang, self.default_language)

    def setting(self, key: str, default=None):
        return (self.settings or {}).get(key, default)


class Page(db.Model):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(Translated, default=dict)
    # Skip logic: show the page only when this condition holds (see
    # surveys/logic.py for the format); None = always shown.
    logic: Mapped[dict | None] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(back_populates="page", order_by="Question.position")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Stable variable name used in exports, logic and JSON definitions.
    code: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    required: Mapped[bool] = mapped_column(default=False)
    title: Mapped[dict] = mapped_column(Translated, default=dict)
    help_text: Mapped[dict] = mapped_column(Translated, default=dict)
    settings: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    metric_role: Mapped[str | None] = mapped_column(String(64))
    logic: Mapped[dict | None] = mapped_column(JSON)
    # A question with answers is retired, not deleted, so stored answers
    # keep their meaning (safe editing of live surveys).
    retired_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="questions")
    page: Mapped[Page | None] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Option.position"
    )

    def text(self, field: str, lang: str) -> str:
        return pick_language(getattr(self, field), lang, self.survey.default_language)


class Option(db.Model):
    """A choice of a question, or (kind='item') a row of a matrix question."""

    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("question_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="choice")
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[dict] = mapped_column(Translated, default=dict)
    # Numeric score of the option (Likert level, demographic band order).
    value: Mapped[float | None]
    is_other: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship(back_populates="options")

    def text(self, lang: str) -> str:
        return pick_language(self.label, lang, self.question.survey.default_language)


def pick_language(values: dict | None, lang: str, fallback: str) -> str:
    """The text in ``lang``, else the survey's default language, else any."""
    values = values or {}
    for candidate in (lang, fallback):
        if values.get(candidate):
            return values[candidate]
    return next((v for v in values.values() if v), "")


Index("ix_questions_survey_position", Question.survey_id, Question.position)
