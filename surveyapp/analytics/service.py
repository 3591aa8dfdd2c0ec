"""Summaries as the pages, the CLI and the API get them: cached, with the
privacy floor applied where the viewer must not see small groups."""

from __future__ import annotations

from . import cache, privacy
from .filters import Filters
from .summary import build_summary


def summary_for(survey, filters: Filters, language: str, privacy_k: int | None = None) -> dict:
    """The summary document; ``privacy_k`` applies the privacy floor (for
    public pages and viewer-filtered views), comparing a filtered view with
    the unfiltered one so the two cannot be subtracted."""
    state = cache.state_key(survey.id)

    def build(view: Filters) -> dict:
        return cache.summaries.get_or_set(
            ("summary", survey.id, view.key(), language, state), lambda: build_summary(survey, view, language=language)
        )

    document = build(filters)
    if privacy_k is None:
        return document
    base = build(filters.base()) if filters.segmented else None
    return cache.summaries.get_or_set(
        ("private", survey.id, filters.key(), language, state, privacy_k),
        lambda: privacy.suppress(document, privacy_k, base),
    )
