"""Anonymous surveys keep nothing about the device; others keep hashes only."""

from __future__ import annotations

import hashlib

from surveyapp.extensions import db
from tests.collect.helpers import Resident, make_survey, responses


def test_anonymous_survey_stores_no_device_data_and_says_so(client, world):
    survey = make_survey(world.org, anonymous=True)
    resident = Resident(client, survey.public_token)
    resident.open(headers={"Accept-Language": "en", "User-Agent": "Nokia 105"})
    assert "This survey is anonymous" in resident.html
    assert client.get_cookie("suara_b") is None  # no browser id handed out
    resident.send(
        {"q-uses": "yes"},
    )
    assert "This survey is anonymous" not in resident.html  # said on the first page
    [response] = responses(survey.id)
    assert (response.ip_hash, response.user_agent, response.browser_hash) == (None, None, None)
    assert response.participant_id is None and response.invitation_id is None


def test_other_surveys_store_a_salted_address_hash_and_short_user_agent(client, world, app):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    long_agent = "Mozilla/5.0 " + "x" * 400
    resident.open(headers={"User-Agent": long_agent})
    assert "anonymous" not in resident.html
    client.post(
        resident.action(),
        data={**resident.fields(), "q-uses": "yes"},
        headers={"User-Agent": long_agent},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    [response] = responses(survey.id)
    salted = hashlib.sha256(app.config["SECRET_KEY"].encode() + b"|ip|203.0.113.9").hexdigest()
    assert response.ip_hash == salted
    assert response.ip_hash != hashlib.sha256(b"203.0.113.9").hexdigest()
    assert len(response.user_agent) == 256 and response.user_agent.startswith("Mozilla/5.0")
    assert response.browser_hash is not None
    assert "203.0.113.9" not in repr([getattr(response, c.name) for c in response.__table__.columns])


def test_anonymous_services_ignore_participant_and_invitation(ctx, world):
    from surveyapp.responses import services, tokens

    survey = make_survey(world.org, anonymous=True)
    client_info = services.ClientInfo(address="198.51.100.1", user_agent="UA", browser_id="b")
    response = services.submit_complete(
        survey,
        {"uses": "yes", "score": 8, "age": 30},
        tokens.new_submission_id(),
        "api",
        "id",
        participant_id=None,
        client=client_info,
    )
    db.session.refresh(response)
    assert (response.ip_hash, response.user_agent, response.browser_hash, response.participant_id) == (
        None,
        None,
        None,
        None,
    )
