"""Input that used to give a 500 (issue 12, item 13): each gets a clear 4xx
and stores nothing. Redirect targets, NUL characters, huge CSV fields and
population figures past what a column holds."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest

from surveyapp.api import tokens
from surveyapp.collect.models import SurveyInvitation as Invitation
from surveyapp.extensions import db
from surveyapp.programmes import services as programme_services
from surveyapp.programmes.models import FeedbackItem, PopulationMargin, Programme, Story
from surveyapp.results.models import SurveyPopulationMargin
from tests.collect.helpers import Resident, make_survey, responses
from tests.collect.test_bad_input import EVERY_TYPE
from tests.conftest import get_csrf, login, post_form
from tests.factories import PASSWORD
from tests.results import builders as results_builders

HUGE = "x" * 131_073  # one past the csv module's field limit


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def upload(client, url, field, content: bytes, name: str, **extra):
    data = {"csrf_token": get_csrf(client, url), field: (io.BytesIO(content), name), **extra}
    return client.post(url, data=data, content_type="multipart/form-data")


def programme(org) -> Programme:
    return programme_services.create_programme(
        org.id,
        name="Forum Warga",
        area=None,
        description=None,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        community_size=100,
    )


# ---- ?next= -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/dashboard\r\nSet-Cookie: a=b",
        "/x\nLocation: //evil.example",
        "/\t/evil.example",
        "/%0d%0aSet-Cookie:a=b\r",
        "\x00/x",
    ],
)
def test_next_with_control_characters_is_ignored(client, world, target):
    token = get_csrf(client)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "owner@mawar.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code in (302, 400)
    assert "\n" not in response.headers.get("Location", "") and "evil" not in response.headers.get("Location", "")
    switch = client.get("/lang/en", query_string={"next": target})
    assert switch.status_code in (302, 400)
    assert switch.status_code == 400 or switch.headers["Location"] == "/"


# ---- NUL characters ---------------------------------------------------------


def _assert_nul_refused(response):
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_programme_name_and_story_title_is_refused(client, world):
    login(client, "editor@mawar.test")
    _assert_nul_refused(
        post_form(
            client, "/programmes/new", {"name": "Forum\x00Warga", "starts_on": "2026-01-01"}, token_from="/programmes"
        )
    )
    assert count(Programme) == 0
    p = programme(world.org)
    url = f"/programmes/{p.id}/stories"
    _assert_nul_refused(post_form(client, url, {"title": "Cerita\x00", "body": "Isi", "told_on": "2026-02-01"}))
    assert count(Story) == 0


def test_nul_in_public_feedback_is_refused(client, world):
    p = programme(world.org)
    p.feedback_form_enabled = True
    db.session.commit()
    before = count(FeedbackItem)
    _assert_nul_refused(post_form(client, f"/p/{p.public_token}/feedback", {"text": "Lampu\x00mati"}))
    assert count(FeedbackItem) == before


def test_nul_in_a_resident_answer_is_dropped_and_the_answer_kept(client, world):
    """Resident pages clean their own text (a pasted NUL must not cost an answer);
    every other field the page sends is checked, so nothing reaches the database with NUL."""
    survey = make_survey(world.org, EVERY_TYPE)
    resident = Resident(client, survey.public_token)
    resident.open()
    names = list(resident.fields())
    assert resident.send({"q-one": "other", "q-one-other": "Sen\x00diri"}).status_code == 303
    [response] = responses(survey.id)
    assert {a.value_text for a in response.answers if a.value_text} == {"Sendiri"}
    for name in names:  # hidden fields: submission id, tokens, page markers
        other = Resident(client, survey.public_token)
        other.open()
        result = other.send({"q-one": "a", name: other.fields()[name] + "\x00"}, follow=False)
        assert result.status_code < 500, name
    assert len(responses(survey.id)) <= 1 + len(names)


def test_nul_in_query_string_and_path_is_refused(client, world):
    survey = make_survey(world.org)
    _assert_nul_refused(client.get(f"/s/{survey.public_token}", query_string={"lang": "en\x00"}))
    _assert_nul_refused(client.get("/s/abc%00def"))


def test_nul_in_json_api_body_is_refused(client, world):
    survey = make_survey(world.org)
    _secret, token = tokens.create(world.org.id, world.owner.id, "writer", "write")
    body = json.dumps({"submission_id": str(uuid.uuid4()), "answers": {"uses": "no", "why_not": "jauh\x00"}})
    response = client.post(
        f"/api/v1/surveys/{survey.id}/responses",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]["message"]
    assert responses(survey.id) == []


# ---- CSV fields past the csv module's limit -----------------------------------


def test_huge_csv_field_in_offline_import_names_the_row(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    content = f"_uuid,uses\n{uuid.uuid4()},yes\n{uuid.uuid4()},{HUGE}\n".encode()
    response = upload(client, f"/surveys/{survey.id}/offline-import", "submissions", content, "kobo.csv")
    assert 400 <= response.status_code < 500
    assert "Line 3" in response.get_data(as_text=True)
    assert responses(survey.id) == []


def test_huge_csv_field_in_contacts_names_the_row(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    content = f"name,email\nAni,ani@example.org\n{HUGE},budi@example.org\n".encode()
    response = upload(client, f"/surveys/{survey.id}/invitations/import", "contacts", content, "c.csv")
    assert 400 <= response.status_code < 500
    page = response.get_data(as_text=True)
    assert "longer than 131,072 characters" in page
    assert count(Invitation) == 0


def test_huge_csv_field_in_margins_file_names_the_row(client, world):
    survey = results_builders.survey(world.org)
    login(client, "editor@mawar.test")
    content = f"dimension,category,population\ngender,f,10\ngender,m,{HUGE}\n".encode()
    response = upload(client, f"/surveys/{survey.id}/results/weighting", "file", content, "m.csv")
    assert response.status_code == 400
    assert "Line 3" in response.get_data(as_text=True)
    assert count(SurveyPopulationMargin) == 0


# ---- population figures -------------------------------------------------------

TOO_MANY = "1" + "0" * 30


def test_programme_population_past_the_column_is_refused(client, world):
    p = programme(world.org)
    login(client, "editor@mawar.test")
    response = post_form(
        client,
        f"/programmes/{p.id}/population",
        {"margins": f"gender, female, {TOO_MANY}"},
        token_from=f"/programmes/{p.id}/settings",
    )
    assert response.status_code in (303, 400)
    page = client.get(f"/programmes/{p.id}/settings").get_data(as_text=True)
    assert "1,000,000,000" in page
    assert count(PopulationMargin) == 0
    response = post_form(
        client, f"/programmes/{p.id}/settings", {"name": "Forum", "starts_on": "2026-01-01", "community_size": TOO_MANY}
    )
    assert response.status_code == 400
    db.session.refresh(p)
    assert p.community_size == 100


@pytest.mark.parametrize("value", [TOO_MANY, "²", "1e30"])
def test_survey_population_past_the_column_is_refused(client, world, value):
    survey = results_builders.survey(world.org)
    login(client, "editor@mawar.test")
    url = f"/surveys/{survey.id}/results/weighting"
    response = post_form(client, url, {"m-gender-f": value, "m-gender-m": "5"})
    assert response.status_code == 400 and "whole number" in response.get_data(as_text=True)
    content = f"dimension,category,population\ngender,f,{value}\ngender,m,5\n".encode()
    response = upload(client, url, "file", content, "m.csv")
    assert response.status_code == 400 and "Line 2" in response.get_data(as_text=True)
    assert count(SurveyPopulationMargin) == 0


def test_nul_in_an_uploaded_survey_definition_is_refused(client, world):
    from surveyapp.surveys.models import Survey

    document = results_builders.definition("Survei\x00warga")
    login(client, "editor@mawar.test")
    response = upload(client, "/surveys/import", "definition", json.dumps(document).encode(), "s.json")
    assert response.status_code == 422 and "NUL" in response.get_data(as_text=True)
    assert count(Survey) == 0
