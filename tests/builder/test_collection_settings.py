"""Schedule, cap and switches of a survey, typed in the organisation's time zone."""

from __future__ import annotations

from datetime import datetime

import pytest

from surveyapp.extensions import db
from surveyapp.surveys import services
from tests.conftest import login, post_form
from tests.surveys.test_definition import EVERY_TYPE


@pytest.fixture
def survey(world):
    return services.create_from_definition(world.org.id, None, EVERY_TYPE)


def url(survey):
    return f"/surveys/{survey.id}/collection"


def test_schedule_is_stored_in_utc_and_shown_in_local_time(client, world, survey):
    login(client, "editor@mawar.test")
    response = post_form(
        client,
        url(survey),
        {
            "opens_at": "2026-12-01T08:00",
            "closes_at": "2026-12-31T17:00",
            "response_cap": "500",
            "min_seconds": "30",
            "one_per_browser": "y",
            "public_results": "y",
        },
    )
    assert response.status_code == 303
    db.session.refresh(survey)
    # Asia/Jakarta is UTC+7.
    assert survey.opens_at == datetime(2026, 12, 1, 1, 0)
    assert survey.closes_at == datetime(2026, 12, 31, 10, 0)
    assert survey.response_cap == 500
    assert survey.settings["min_seconds"] == 30
    assert survey.settings["one_per_browser"] is True and survey.settings["public_results"] is True
    page = client.get(url(survey)).get_data(as_text=True)
    assert 'value="2026-12-01T08:00"' in page
    # Switching off removes the setting.
    post_form(client, url(survey), {"opens_at": "", "closes_at": "", "response_cap": "", "min_seconds": ""})
    db.session.refresh(survey)
    assert survey.opens_at is None and survey.response_cap is None
    assert "one_per_browser" not in survey.settings and "min_seconds" not in survey.settings


@pytest.mark.parametrize(
    "data,message",
    [
        ({"opens_at": "2026-12-31T08:00", "closes_at": "2026-12-01T08:00"}, "closing time must be after"),
        ({"response_cap": "0"}, "at least 1"),
        ({"min_seconds": "-5"}, "from 0 to 3600"),
        ({"opens_at": "tomorrow"}, "Opens at"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(client, world, survey, data, message):
    login(client, "editor@mawar.test")
    response = post_form(client, url(survey), data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(survey)
    assert survey.opens_at is None and survey.response_cap is None and not survey.settings


def test_access(client, world, survey):
    login(client, "viewer@mawar.test")
    assert client.get(url(survey)).status_code == 403
    post_form(client, "/logout", token_from="/dashboard")
    login(client, "owner@melati.test")
    assert client.get(url(survey)).status_code == 404
    assert post_form(client, url(survey), {"response_cap": "3"}, token_from="/dashboard").status_code == 404
    db.session.refresh(survey)
    assert survey.response_cap is None
