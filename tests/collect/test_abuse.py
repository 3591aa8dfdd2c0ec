"""Honeypot, minimum time, rate limits, one per browser, body size."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.responses import tokens
from tests.collect.helpers import Resident, document, hidden_fields, make_survey, responses, text

ONE_PAGE = document([[{"code": "ok", "type": "yes_no", "required": True, "title": text("Is the road fixed?")}]])


def one_page(world, **settings):
    doc = {**ONE_PAGE, "settings": settings}
    return make_survey(world.org, doc)


def test_a_filled_honeypot_gets_thanks_and_nothing_is_stored(client, world):
    survey = one_page(world)
    resident = Resident(client, survey.public_token)
    resident.open()
    assert 'name="website"' in resident.html and 'tabindex="-1"' in resident.html
    result = resident.send({"q-ok": "yes", "website": "http://spam.example"})
    assert result.status_code == 303 and "/thanks" in result.headers["Location"]
    assert resident.page.status_code == 200
    assert responses() == []


def test_too_fast_responses_are_kept_and_flagged(client, world):
    survey = one_page(world, min_seconds=30)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-ok": "yes"})
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert response.flagged and response.flag_reason == "too_fast"


def test_a_patient_resident_is_not_flagged(client, world):
    survey = one_page(world, min_seconds=30)
    resident = Resident(client, survey.public_token)
    resident.open()
    fields = resident.fields()
    # The page was served a minute ago (the token carries its signed time).
    issued = int(fields["form_token"].split(".")[0]) - 60
    fields["form_token"] = tokens.form_token(survey.id, fields["submission_id"], issued)
    client.post(f"/s/{survey.public_token}", data={**fields, "action": "next", "q-ok": "no"})
    [response] = responses(survey.id)
    assert not response.flagged and response.duration_seconds >= 60


def test_rate_limit_per_address_gives_a_friendly_page(client, world, app):
    survey = one_page(world)
    app.config["RESPOND_RATE_LIMIT"] = "2 per minute"
    try:
        statuses = []
        for _ in range(3):
            form = {
                **hidden_fields(client.get(f"/s/{survey.public_token}?lang=en").get_data(as_text=True)),
                "q-ok": "yes",
            }
            result = client.post(f"/s/{survey.public_token}", data=form)
            statuses.append(result.status_code)
        assert statuses == [303, 303, 429]
        assert "Too many answers at once" in result.get_data(as_text=True)
        assert len(responses(survey.id)) == 2
    finally:
        app.config.pop("RESPOND_RATE_LIMIT")


def test_rate_limit_per_link(client, world, app):
    survey = one_page(world)
    app.config["RESPOND_LINK_RATE_LIMIT"] = "1 per minute"
    try:
        first = client.post(
            f"/s/{survey.public_token}",
            data={**hidden_fields(client.get(f"/s/{survey.public_token}").get_data(as_text=True)), "q-ok": "yes"},
        )
        other_address = client.post(
            f"/s/{survey.public_token}",
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
            data={**hidden_fields(client.get(f"/s/{survey.public_token}").get_data(as_text=True)), "q-ok": "yes"},
        )
        assert (first.status_code, other_address.status_code) == (303, 429)
        other_survey = one_page(world)
        page = client.get(f"/s/{other_survey.public_token}").get_data(as_text=True)
        assert (
            client.post(f"/s/{other_survey.public_token}", data={**hidden_fields(page), "q-ok": "yes"}).status_code
            == 303
        )
    finally:
        app.config.pop("RESPOND_LINK_RATE_LIMIT")


@pytest.mark.parametrize("anonymous", [False, True])
def test_one_response_per_browser(client, world, anonymous):
    survey = one_page(world, one_per_browser=True)
    survey.anonymous = anonymous
    db.session.commit()
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-ok": "yes"})
    again = client.get(f"/s/{survey.public_token}?lang=en")
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)
    # A form opened before (another tab) and sent now is refused too, kindly.
    other_tab = {
        **hidden_fields(client.application.test_client().get(f"/s/{survey.public_token}").get_data(as_text=True)),
        "q-ok": "no",
    }
    result = client.post(f"/s/{survey.public_token}", data=other_tab)
    assert result.status_code == 409
    assert len([r for r in responses(survey.id) if r.status == "complete"]) == 1
    # Another browser may answer.
    other = Resident(client.application.test_client(), survey.public_token)
    other.open()
    other.send({"q-ok": "no"})
    assert len(responses(survey.id)) == 2
    [first, second] = responses(survey.id)
    if anonymous:
        assert first.browser_hash is None and second.browser_hash is None
    else:
        assert first.browser_hash and second.browser_hash and first.browser_hash != second.browser_hash


def test_repeats_are_stored_but_flagged_when_not_limited(client, world):
    survey = one_page(world)
    for _ in range(2):
        resident = Resident(client, survey.public_token)
        resident.open()
        resident.send({"q-ok": "yes"})
    first, second = responses(survey.id)
    assert (first.status, second.status) == ("complete", "complete")
    assert not first.flagged
    assert second.flagged and "possible_duplicate" in second.flag_reason


def test_a_body_over_the_limit_is_refused(client, world):
    survey = one_page(world)
    form = {**hidden_fields(client.get(f"/s/{survey.public_token}").get_data(as_text=True)), "q-ok": "yes"}
    result = client.post(f"/s/{survey.public_token}?lang=en", data={**form, "padding": "x" * (300 * 1024)})
    assert result.status_code == 413
    assert "too long" in result.get_data(as_text=True) or "terlalu" in result.get_data(as_text=True)
    assert responses() == []
