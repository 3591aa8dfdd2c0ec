"""A refused POST to a personal invitation changes nothing: not the
invitation's progress, not which responses belong to its participant."""

from __future__ import annotations

import pytest

from surveyapp.collect.models import SurveyInvitation
from surveyapp.extensions import db
from surveyapp.responses.models import Answer, Response
from tests.distribute.helpers import (
    Resident,
    export_links,
    login,
    make_survey,
    path_of,
    upload,
)

CONTACTS = "name,email\nSiti Aminah,siti@example.org\n"


def snapshot(survey_id: int) -> dict:
    """Every row a resident POST could touch, as plain values."""
    db.session.expire_all()
    invitations = db.session.execute(
        db.select(
            SurveyInvitation.id,
            SurveyInvitation.opened_at,
            SurveyInvitation.started_at,
            SurveyInvitation.completed_at,
            SurveyInvitation.response_id,
        )
        .where(SurveyInvitation.survey_id == survey_id)
        .order_by(SurveyInvitation.id)
    ).all()
    responses = db.session.execute(
        db.select(Response.id, Response.status, Response.participant_id, Response.invitation_id, Response.last_page)
        .where(Response.survey_id == survey_id)
        .order_by(Response.id)
    ).all()
    answers = db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar_one()
    return {
        "invitations": [tuple(r) for r in invitations],
        "responses": [tuple(r) for r in responses],
        "answers": answers,
    }


def someone_elses_response(client, survey, complete: bool = True) -> str:
    """A response sent through the public link; its submission id."""
    resident = Resident(client, survey.public_token)
    resident.open()
    submission_id = resident.fields()["submission_id"]
    resident.send({"q-uses": "yes"})
    if complete:
        resident.send({"q-score": "8"})
        resident.send({"q-age": "35"})
    return submission_id


@pytest.fixture
def invited(client, world):
    """(survey, the invitation's link path, a stranger's submission id, the invitee's form)."""
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    assert upload(client, survey.id, CONTACTS).status_code == 303
    link = path_of(export_links(client, survey.id)[1][2])
    client.get("/logout")
    return survey, link


def invitee_form(client, link: str) -> dict:
    invitee = Resident(client, None)
    assert invitee.open(link).status_code == 200
    return {**invitee.fields(), "action": "next", "q-uses": "yes"}


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "partial"])
def test_a_forged_form_token_changes_nothing(app, client, invited, complete):
    survey, link = invited
    stranger = someone_elses_response(app.test_client(), survey, complete=complete)
    form = invitee_form(client, link)
    before = snapshot(survey.id)
    sent = client.post(link, data={**form, "submission_id": stranger, "form_token": "forged"})
    assert sent.status_code == 400 and "nothing was saved" in sent.get_data(as_text=True)
    assert snapshot(survey.id) == before


def test_the_honeypot_changes_nothing(app, client, invited):
    survey, link = invited
    stranger = someone_elses_response(app.test_client(), survey)
    form = invitee_form(client, link)
    before = snapshot(survey.id)
    sent = client.post(link, data={**form, "submission_id": stranger, "website": "http://spam.example"})
    assert sent.status_code == 303  # the bot is thanked ...
    assert snapshot(survey.id) == before  # ... and nothing is stored


def test_a_post_to_a_closed_survey_changes_nothing(app, client, invited):
    survey, link = invited
    stranger = someone_elses_response(app.test_client(), survey)
    form = invitee_form(client, link)
    survey = db.session.get(type(survey), survey.id)
    survey.status = "closed"
    db.session.commit()
    before = snapshot(survey.id)
    sent = client.post(link, data={**form, "submission_id": stranger, "form_token": "forged"})
    assert sent.status_code == 410
    assert snapshot(survey.id) == before


def test_an_accepted_page_still_moves_the_invitation_on(client, invited):
    survey, link = invited
    form = invitee_form(client, link)
    sent = client.post(link, data=form)
    assert sent.status_code == 303
    after = snapshot(survey.id)
    [(_id, opened, started, completed, _response)] = after["invitations"]
    [(_response_id, status, participant_id, invitation_id, _page)] = after["responses"]
    assert opened and started and not completed
    assert status == "partial" and invitation_id == _id and participant_id is not None
