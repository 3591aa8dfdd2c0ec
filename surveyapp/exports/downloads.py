"""The audit event of a download of responses (organiser pages and API)."""

from __future__ import annotations

from .. import audit
from ..analytics.filters import Filters
from ..audit import Action
from ..surveys.models import Survey
from . import rows as rows_module


def record(
    survey: Survey, file_format: str, filters: Filters, *, weighted: bool = False, rows: int | None = None
) -> None:
    """Commit one event before the first byte is streamed. A stream cannot
    tell whether the file arrived, so ``rows`` is the number of responses
    requested (the filters applied), not the number received; a caller that
    counted them already passes ``rows``."""
    audit.record_now(
        Action.EXPORT_DOWNLOADED,
        survey,
        title=survey.text("title", survey.default_language),
        format=file_format,
        rows=rows_module.count(survey.id, filters) if rows is None else rows,
        weighted=weighted,
    )
