"""Programme tests read English messages: the browser asks for English."""

import pytest


@pytest.fixture(autouse=True)
def _english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
