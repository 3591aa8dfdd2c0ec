"""The report of an XLSForm or offline-submissions import, kept so the
result page can be shown after a redirect (Post/Redirect/Get)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db


class ImportReport(db.Model):
    __tablename__ = "import_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # xlsform | submissions
    filename: Mapped[str] = mapped_column(String(200), default="")
    # {"stored": n, "already": n, "rejected": n} for submissions.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
