"""Every results URL against every kind of visitor (pattern of tests/test_access.py)."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.results.models import SurveyPopulationMargin
from tests import factories
from tests.conftest import get_csrf, login
from tests.results import builders as b

ROUTES = [
    # (method, url template, least role, form data)
    ("GET", "/surveys/{survey}/results", "viewer", {}),
    ("GET", "/surveys/{survey}/results?answer=gender:f", "viewer", {}),
    ("GET", "/surveys/{survey}/results/charts/{question}.svg", "viewer", {}),
    ("GET", "/surveys/{survey}/results/charts/0.svg", "viewer", {}),
    ("GET", "/surveys/{survey}/results/questions/{text_question}/answers", "viewer", {}),
    ("GET", "/surveys/{survey}/results/crosstab?row=gender&column=rw", "viewer", {}),
    ("GET", "/surveys/{survey}/results/weighting", "viewer", {}),
    ("POST", "/surveys/{survey}/results/weighting", "editor", {"m-gender-f": "600", "m-gender-m": "400"}),
    ("GET", "/surveys/{survey}/results/compare?with={other_survey}", "viewer", {}),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}


@pytest.fixture
def objects(world):
    survey = b.survey(world.org)
    other = b.survey(world.org, title="Gelombang 1")
    for k in range(6):
        factories.respond(survey, {"gender": "fm"[k % 2], "rw": "rw1", "overall": "4", "comment": "jalan"})
        factories.respond(other, {"gender": "f", "overall": "3"})
    codes = {q.code: q.id for q in survey.questions}
    return {
        "survey": survey.id,
        "question": codes["gender"],
        "text_question": codes["comment"],
        "other_survey": other.id,
    }


def call(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**data, "csrf_token": get_csrf(client, "/dashboard")})


@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_anonymous_is_sent_to_login(client, objects, method, url, needed, data):
    response = client.get(url.format(**objects)) if method == "GET" else client.post(url.format(**objects), data=data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_other_organisation_gets_404(client, world, objects, method, url, needed, data):
    login(client, "owner@melati.test")
    response = call(client, method, url.format(**objects), data)
    assert response.status_code == 404
    assert db.session.execute(db.select(SurveyPopulationMargin)).first() is None


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("method,url,needed,data", ROUTES)
def test_roles(client, world, objects, role, method, url, needed, data):
    login(client, f"{role}@mawar.test")
    response = call(client, method, url.format(**objects), data)
    if RANK[role] >= RANK[needed]:
        assert response.status_code in (200, 303), response.status_code
    else:
        assert response.status_code == 403


def test_comparing_with_a_survey_of_another_organisation_is_refused(client, world, objects):
    foreign = b.survey(world.other_org, title="Lain")
    login(client, "owner@mawar.test")
    response = client.get(f"/surveys/{objects['survey']}/results/compare?with={foreign.id}")
    assert response.status_code == 400
