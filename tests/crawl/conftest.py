"""The crawl keeps one seeded world per module (``Crawl`` rebuilds it when a
POST changed what the URLs point at), so the per-test emptying of every
table is replaced by the crawl's own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_tables():
    yield
