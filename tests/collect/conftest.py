"""Collection tests need an organisation, not its staff (no password hashing)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories


@pytest.fixture
def world(ctx):
    """Shadows the shared ``world``: just the organisation residents answer."""
    return SimpleNamespace(org=factories.organisation("Kelurahan Mawar"))
