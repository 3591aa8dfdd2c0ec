"""Population margins of a survey, used for representation and raking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db


class SurveyPopulationMargin(db.Model):
    """How many people of the population are in one category of a
    demographic dimension (``demographic:<dimension>`` questions; the
    category is an option code), e.g. gender/f: 2100."""

    __tablename__ = "survey_population_margins"
    __table_args__ = (UniqueConstraint("survey_id", "dimension", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(48))
    category: Mapped[str] = mapped_column(String(64))
    population: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
