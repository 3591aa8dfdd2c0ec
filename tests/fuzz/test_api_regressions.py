"""Defects the schema fuzzer (test_api_schema.py) found, each pinned by a
plain example so it stays fixed whatever the fuzzer draws next time."""

from __future__ import annotations

import re

import pytest

from surveyapp.routing import BIGINT_MAX, INTEGER_MAX, at_most
from tests import factories


@pytest.mark.parametrize("largest", [0, 7, 10, 99, 100, 2024, INTEGER_MAX, BIGINT_MAX])
def test_the_id_regex_matches_exactly_the_numbers_up_to_the_bound(largest):
    pattern = re.compile(at_most(largest))
    near = {0, 1, 9, 10, largest - 1, largest, largest + 1, largest * 10, largest + 10 ** len(str(largest))}
    for number in sorted(n for n in near if n >= 0):
        assert bool(pattern.fullmatch(str(number))) == (number <= largest), number
    assert pattern.fullmatch("000" + str(largest))
    assert not pattern.fullmatch("-1") and not pattern.fullmatch("")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_overflowing_survey_id_on_a_path_with_two_methods_is_404_not_405(client, method):
    # GET and POST share /surveys/<id>/responses: it answered 405 "use POST" to a GET.
    response = client.open(f"/api/v1/surveys/{2**31}/responses", method=method)
    assert response.status_code == 404, response.status_code
    assert client.open(f"/api/v1/surveys/{10**24}/responses", method=method).status_code == 404


@pytest.fixture
def api(app, world, ctx):
    import uuid

    from surveyapp.api import tokens
    from surveyapp.extensions import db
    from tests.exports import data

    survey = data.survey(world.org)
    survey.status = "open"
    db.session.commit()
    factories.respond(survey, {"gender": "f", "age": "20"})
    _token, plain = tokens.create(world.org.id, world.owner.id, "w", "write")

    def post(**body):
        payload = {"submission_id": str(uuid.uuid4()), "answers": {"gender": "f"}, **body}
        return client_post(f"/api/v1/surveys/{survey.id}/responses", payload, plain)

    client = app.test_client()

    def client_post(url, payload, token):
        return client.post(url, json=payload, headers={"Authorization": f"Bearer {token}"})

    def get(path):
        return client.get(f"/api/v1/surveys/{survey.id}/{path}", headers={"Authorization": f"Bearer {plain}"})

    return {"post": post, "get": get, "survey": survey, "client": client, "auth": {"Authorization": f"Bearer {plain}"}}


@pytest.mark.parametrize(
    "started_at",
    [
        "0001-01-01T00:00:00+01:00",  # before datetime's range once in UTC: OverflowError
        "9999-12-31T23:59:59-12:00",  # after it
        "0001-01-01T00:00:00Z",  # a duration past PostgreSQL's integer
        "1970-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z",  # in the future
    ],
)
def test_a_start_time_out_of_range_is_422_and_stores_nothing(api, started_at):
    from surveyapp.extensions import db
    from surveyapp.responses.models import Response

    response = api["post"](started_at=started_at)
    assert response.status_code == 422, response.status_code
    assert "started_at" in response.json["errors"]
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 1  # the seeded one


@pytest.mark.parametrize(
    "query", ["from=0001-01-01", "to=0001-01-01", "from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"]
)
@pytest.mark.parametrize("path", ["responses", "responses.jsonl", "summary"])
def test_the_first_and_last_dates_a_calendar_holds_are_a_clear_400(api, path, query):
    # The organisation's midnight of 0001-01-01 or 9999-12-31 is outside
    # what a datetime holds in UTC: it was a 500 (OverflowError). Filters
    # take days from 1900 to 2999 (analytics.filters.parse_day).
    response = api["get"](f"{path}?{query}")
    response.get_data()
    assert response.status_code == 400, response.status_code
    assert "between 1900-01-01 and 2999-12-31" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "window",
    [
        "0001-01-01..0001-12-31",
        "9999-12-31..9999-12-31",
        "0001-03",
        "0001-Q2",
        "9999-12",
        "9999-Q4",
        "9999",
        "1899-12-01..1900-01-31",
    ],
)
def test_a_metrics_window_at_the_ends_of_the_calendar_is_400(api, window):
    # Its bounds (and the earlier windows it is compared with) fell off the
    # calendar in UTC: a 500 (OverflowError). Years 1900-9998 are accepted.
    from datetime import date

    from surveyapp.extensions import db
    from surveyapp.programmes.models import Programme

    programme = Programme(organisation_id=api["survey"].organisation_id, name="P", starts_on=date(2026, 1, 1))
    db.session.add(programme)
    db.session.commit()
    response = api["client"].get(f"/api/v1/programmes/{programme.id}/metrics?window={window}", headers=api["auth"])
    assert response.status_code == 400, response.status_code
    assert "1900" in response.json["error"]["message"]
    ok = api["client"].get(f"/api/v1/programmes/{programme.id}/metrics?window=1900-01", headers=api["auth"])
    assert ok.status_code == 200
