"""Every distribution URL for organisers against every kind of visitor
(the pattern of tests/test_access.py): anonymous -> log-in, another
organisation -> 404 with nothing changed, roles -> 403 below the least role."""

from __future__ import annotations

import uuid

import pytest

from surveyapp.collect.models import SurveyInvitation
from surveyapp.distribute import contacts, invitations
from surveyapp.extensions import db
from surveyapp.responses.models import Response
from tests.conftest import get_csrf, login
from tests.distribute.helpers import csv_file, make_survey

ROUTES = [
    # (method, url, least role, form data)
    ("GET", "/surveys/{survey}/share", "viewer", {}),
    ("GET", "/surveys/{survey}/share/qr.png", "viewer", {}),
    ("GET", "/surveys/{survey}/share/qr.svg", "viewer", {}),
    ("GET", "/surveys/{survey}/share/poster.pdf", "viewer", {}),
    ("GET", "/surveys/{survey}/share/kiosk-qr.png", "editor", {}),
    ("GET", "/surveys/{survey}/paper.pdf", "viewer", {}),
    ("GET", "/surveys/{survey}/paper/entry", "editor", {}),
    ("POST", "/surveys/{survey}/paper/entry", "editor", {"q-uses": "no", "q-age": "40", "submission_id": "{uuid}"}),
    ("GET", "/surveys/{survey}/invitations", "viewer", {}),
    ("POST", "/surveys/{survey}/invitations/import", "editor", {"contacts": "FILE"}),
    ("POST", "/surveys/{survey}/invitations/send", "editor", {}),
    ("POST", "/surveys/{survey}/invitations/remind", "editor", {}),
    ("POST", "/surveys/{survey}/invitations/export", "editor", {"which": "all"}),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}


@pytest.fixture
def survey(world, ctx):
    survey = make_survey(world.org)
    invitations.import_contacts(survey, world.org, contacts.parse(b"email\nwarga@example.org\n"))
    return survey


def call(client, method, url, data):
    if method == "GET":
        return client.get(url)
    form = {k: v.replace("{uuid}", str(uuid.uuid4())) if isinstance(v, str) else v for k, v in data.items()}
    if form.get("contacts") == "FILE":
        form["contacts"] = csv_file("email\nbaru@example.org\n")
    form["csrf_token"] = get_csrf(client, "/dashboard")
    return client.post(url, data=form, content_type="multipart/form-data")


def state(survey_id):
    db.session.expire_all()
    invitation_rows = db.session.execute(
        db.select(SurveyInvitation.email, SurveyInvitation.sent_at, SurveyInvitation.reminder_count).where(
            SurveyInvitation.survey_id == survey_id
        )
    ).all()
    return invitation_rows, db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one()


@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_anonymous_is_sent_to_login(client, survey, method, url, needed, data):
    target = url.format(survey=survey.id)
    response = client.get(target) if method == "GET" else client.post(target, data={})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_other_organisation_gets_404(client, world, survey, method, url, needed, data):
    before = state(survey.id)
    login(client, "owner@melati.test")
    response = call(client, method, url.format(survey=survey.id), data)
    assert response.status_code == 404
    assert state(survey.id) == before


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_roles(client, world, survey, role, method, url, needed, data):
    before = state(survey.id)
    login(client, f"{role}@mawar.test")
    response = call(client, method, url.format(survey=survey.id), data)
    if RANK[role] >= RANK[needed]:
        assert response.status_code in (200, 302, 303), response.status_code
    else:
        assert response.status_code == 403
        assert state(survey.id) == before


def test_unknown_survey_is_404(client, world, survey):
    login(client, "owner@mawar.test")
    assert client.get("/surveys/999999/share").status_code == 404
