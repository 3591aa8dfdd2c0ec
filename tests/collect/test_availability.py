"""Open, not yet open, closed, full, draft: what a resident sees."""

from __future__ import annotations

from datetime import timedelta

from surveyapp.database import utcnow
from surveyapp.extensions import db
from surveyapp.responses import services, tokens
from surveyapp.responses.availability import State, state
from tests.collect.helpers import Resident, make_survey, responses


def test_unknown_token_and_draft_are_not_found(client, world):
    draft = make_survey(world.org, status="draft")
    for url in (
        "/s/nope-nope-nope",
        f"/s/{draft.public_token}",
        f"/s/{draft.public_token}/thanks",
        f"/s/{draft.public_token}/embed",
        "/s/" + "x" * 200,
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Clinic survey" not in page.get_data(as_text=True)
        assert "Survei puskesmas" not in page.get_data(as_text=True)
    assert client.post(f"/s/{draft.public_token}", data={"q-uses": "yes"}).status_code == 404
    assert responses() == []


def test_closed_archived_and_past_closing_time_are_gone(client, world):
    closed = make_survey(world.org, status="closed")
    archived = make_survey(world.org, archived_at=utcnow())
    expired = make_survey(world.org, closes_at=utcnow() - timedelta(minutes=1))
    for survey in (closed, archived, expired):
        page = client.get(f"/s/{survey.public_token}?lang=en")
        html = page.get_data(as_text=True)
        assert page.status_code == 410
        assert "This survey is closed" in html and "Clinic survey" in html
        assert client.post(f"/s/{survey.public_token}", data={"q-uses": "yes"}).status_code == 410
    assert responses() == []


def test_not_yet_open_says_when_in_the_organisation_time_zone(client, world, ctx):
    world.org.timezone = "Asia/Jayapura"  # UTC+9
    db.session.commit()
    opens = utcnow().replace(microsecond=0) + timedelta(days=2)
    survey = make_survey(world.org, opens_at=opens.replace(hour=1, minute=0, second=0))
    page = client.get(f"/s/{survey.public_token}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "not open yet" in html and "Clinic survey" in html
    assert "10:00" in html  # 01:00 UTC is 10:00 in Jayapura


def test_a_survey_within_its_window_is_open(ctx, world):
    survey = make_survey(world.org, opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(hours=1))
    assert state(survey) == State.OPEN


def test_full_counts_complete_responses_only(client, world):
    survey = make_survey(world.org, response_cap=1)
    partial = Resident(client, survey.public_token)
    partial.open()
    partial.send({"q-uses": "yes"})
    assert state(survey) == State.OPEN  # a partial response does not fill it
    services.submit_complete(survey, {"uses": "no", "age": 30}, tokens.new_submission_id(), "paper", "id")
    page = client.application.test_client().get(f"/s/{survey.public_token}?lang=en")
    assert page.status_code == 410 and "all the answers it needs" in page.get_data(as_text=True)
    # The resident who started before it filled up cannot go on.
    refused = partial.send({"q-score": "5"})
    assert refused.status_code == 410 and "all the answers it needs" in partial.html
    statuses = sorted(r.status for r in responses(survey.id))
    assert statuses == ["complete", "partial"]


def test_the_cap_holds_for_the_last_page_too(client, world):
    survey = make_survey(world.org, response_cap=1)
    first, second = (
        Resident(client, survey.public_token),
        Resident(client.application.test_client(), survey.public_token),
    )
    for resident in (first, second):
        resident.open()
        resident.send({"q-uses": "no", "q-why_not": "-"}, shown="uses why_not")
    assert first.send({"q-age": "30"}).status_code == 303
    assert second.send({"q-age": "31"}).status_code == 410
    assert sorted(r.status for r in responses(survey.id)) == ["complete", "partial"]


def test_closing_while_answering_keeps_the_partial_answers(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    survey.status = "closed"
    db.session.commit()
    result = resident.send({"q-score": "5"})
    assert result.status_code == 410
    [response] = responses(survey.id)
    assert response.status == "partial" and response.last_page == 1
