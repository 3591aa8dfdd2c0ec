"""Every builder URL against every kind of visitor: anonymous (log in),
another organisation (404, nothing changed) and each role (viewers read,
editors and owners change). Follows tests/test_access.py."""

from __future__ import annotations

import io
import json

import pytest

from surveyapp.extensions import db
from surveyapp.surveys import definition, services
from surveyapp.surveys.models import Page, Question, Survey
from tests.builder.conftest import question_form, simple_survey
from tests.conftest import get_csrf, login

DETAILS = {
    "title-id": "Judul",
    "title-en": "Title",
    "kind": "custom",
    "languages": ["id", "en"],
    "default_language": "id",
}
SAT_FORM = question_form(
    "sat",
    "likert",
    {"id": "Puas sekali?", "en": "Very satisfied?"},
    settings={"points": "5"},
    options=[{"code": str(n), "label": {"id": f"L{n}", "en": f"P{n}"}, "value": n} for n in range(1, 6)],
)
NUMBER_FORM = question_form(
    "people", "number", {"id": "Berapa orang?", "en": "How many people?"}, settings={"integer": True}
)
LOGIC_ROWS = {
    "action": "rows",
    "match": "all",
    "clause-0-question": "uses",
    "clause-0-op": "equals",
    "clause-0-value": "yes",
}


def import_file(objects):
    document = {
        "format": "suara-survey",
        "version": 1,
        "kind": "quick_poll",
        "languages": ["id"],
        "default_language": "id",
        "title": {"id": "Impor"},
        "pages": [{"questions": [{"code": "a", "type": "yes_no", "title": {"id": "Ya?"}}]}],
    }
    return {"definition": (io.BytesIO(json.dumps(document).encode()), "survey.json")}


ROUTES = [
    # (method, url, least role, needs an object of the home organisation, form data (a function of the objects))
    ("GET", "/surveys/", "viewer", False, None),
    ("GET", "/surveys/new", "editor", False, None),
    (
        "POST",
        "/surveys/new/blank",
        "editor",
        False,
        lambda o: {"title": "Baru", "kind": "custom", "languages": ["id", "en"], "default_language": "id"},
    ),
    ("POST", "/surveys/new/template", "editor", False, lambda o: {"template": "library:quick_poll"}),
    ("POST", "/surveys/new/template", "editor", True, lambda o: {"template": f"own:{o['template']}"}),
    ("POST", "/surveys/import", "editor", False, import_file),
    ("GET", "/surveys/{survey}", "viewer", True, None),
    ("GET", "/surveys/{survey}/preview", "viewer", True, None),
    ("GET", "/surveys/{survey}/preview?lang=en", "viewer", True, None),
    ("GET", "/surveys/{survey}/definition.json", "viewer", True, None),
    ("GET", "/surveys/{survey}/details", "editor", True, None),
    ("POST", "/surveys/{survey}/details", "editor", True, lambda o: DETAILS),
    ("POST", "/surveys/{survey}/duplicate", "editor", True, lambda o: {}),
    ("POST", "/surveys/{survey}/save-as-template", "editor", True, lambda o: {}),
    ("POST", "/surveys/{survey}/archive", "editor", True, lambda o: {"archived": "1"}),
    ("GET", "/surveys/{survey}/delete", "editor", True, None),
    ("POST", "/surveys/{survey}/delete", "editor", True, lambda o: {}),
    ("POST", "/surveys/{survey}/publish", "editor", True, lambda o: {}),
    ("POST", "/surveys/{open_survey}/close", "editor", True, lambda o: {}),
    ("POST", "/surveys/{survey}/pages", "editor", True, lambda o: {}),
    ("GET", "/surveys/{survey}/pages/{page}", "editor", True, None),
    ("POST", "/surveys/{survey}/pages/{page}", "editor", True, lambda o: {"title-id": "Hal", "title-en": "Page"}),
    ("POST", "/surveys/{survey}/pages/{page2}/move", "editor", True, lambda o: {"direction": "up"}),
    ("POST", "/surveys/{survey}/pages/{page2}/delete", "editor", True, lambda o: {}),
    ("GET", "/surveys/{survey}/pages/{page2}/logic", "editor", True, None),
    ("POST", "/surveys/{survey}/pages/{page2}/logic", "editor", True, lambda o: LOGIC_ROWS),
    ("GET", "/surveys/{survey}/pages/{page}/questions/new?type=number", "editor", True, None),
    ("POST", "/surveys/{survey}/pages/{page}/questions/new", "editor", True, lambda o: NUMBER_FORM),
    ("GET", "/surveys/{survey}/questions/{question}", "editor", True, None),
    ("POST", "/surveys/{survey}/questions/{question}", "editor", True, lambda o: SAT_FORM),
    ("POST", "/surveys/{survey}/questions/{question}/move", "editor", True, lambda o: {"direction": "down"}),
    ("GET", "/surveys/{survey}/questions/{question}/delete", "editor", True, None),
    ("POST", "/surveys/{survey}/questions/{question}/delete", "editor", True, lambda o: {}),
    ("GET", "/surveys/{survey}/questions/{question}/logic", "editor", True, None),
    ("POST", "/surveys/{survey}/questions/{question}/logic", "editor", True, lambda o: LOGIC_ROWS),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}
IDS = [f"{m} {u}" for m, u, *_ in ROUTES]


@pytest.fixture
def objects(world, ctx):
    survey = simple_survey(world.org)
    page2 = services.add_page(survey)
    open_survey = simple_survey(world.org)
    services.publish(open_survey)
    template = services.duplicate(survey, None, as_template=True)
    sat = next(q for q in survey.questions if q.code == "sat")
    return {
        "survey": survey.id,
        "page": survey.pages[0].id,
        "page2": page2.id,
        "question": sat.id,
        "open_survey": open_survey.id,
        "template": template.id,
    }


def call(client, method, url, data_for, objects):
    if method == "GET":
        return client.get(url)
    data = dict(data_for(objects)) if data_for else {}
    data["csrf_token"] = get_csrf(client, "/dashboard")
    return client.post(url, data=data, content_type="multipart/form-data")


def snapshot():
    db.session.expire_all()
    return {
        "surveys": db.session.execute(db.select(db.func.count()).select_from(Survey)).scalar_one(),
        "pages": db.session.execute(db.select(db.func.count()).select_from(Page)).scalar_one(),
        "questions": db.session.execute(
            db.select(Question.code, Question.position, Question.logic, Question.page_id).order_by(Question.id)
        ).all(),
        "definitions": [
            json.dumps(definition.export_definition(s), sort_keys=True)
            for s in db.session.execute(db.select(Survey).order_by(Survey.id)).scalars()
        ],
        "status": [
            (s.status, s.archived_at) for s in db.session.execute(db.select(Survey).order_by(Survey.id)).scalars()
        ],
    }


@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES, ids=IDS)
def test_anonymous_is_sent_to_login(client, objects, method, url, needed, obj, data):
    target = url.format(**objects)
    response = client.get(target) if method == "GET" else client.post(target, data={})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "method,url,needed,obj,data", [r for r in ROUTES if r[3]], ids=[i for i, r in zip(IDS, ROUTES) if r[3]]
)
def test_other_organisation_gets_404_and_changes_nothing(client, world, objects, method, url, needed, obj, data):
    before = snapshot()
    login(client, "owner@melati.test")
    response = call(client, method, url.format(**objects), data, objects)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES, ids=IDS)
def test_roles(client, world, objects, role, method, url, needed, obj, data):
    login(client, f"{role}@mawar.test")
    before = snapshot() if method == "POST" else None
    response = call(client, method, url.format(**objects), data, objects)
    if RANK[role] >= RANK[needed]:
        assert response.status_code in (200, 303), (response.status_code, response.get_data(as_text=True)[:2000])
        if method == "POST":
            assert response.status_code == 303
            assert snapshot() != before  # the action really happened
    else:
        assert response.status_code == 403
        if method == "POST":
            assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/surveys/{survey}/pages/{other_page}",
        "/surveys/{survey}/pages/{other_page}/logic",
        "/surveys/{survey}/pages/{other_page}/questions/new",
        "/surveys/{survey}/questions/{other_question}",
        "/surveys/{survey}/questions/{other_question}/logic",
        "/surveys/{survey}/questions/{other_question}/delete",
    ],
)
def test_page_or_question_of_another_survey_is_404(client, world, objects, url):
    """A page or question id that belongs to another survey (of the same
    organisation) is not reachable through this survey's URLs."""
    other = simple_survey(world.org)
    objects = {**objects, "other_page": other.pages[0].id, "other_question": other.questions[0].id}
    login(client, "editor@mawar.test")
    assert client.get(url.format(**objects)).status_code == 404


def test_own_template_of_another_organisation_is_404(client, world, objects):
    login(client, "owner@melati.test")
    response = call(client, "POST", "/surveys/new/template", lambda o: {"template": f"own:{o['template']}"}, objects)
    assert response.status_code == 404


def test_survey_list_shows_only_own_organisation(client, world, objects):
    outsider_survey = simple_survey(world.other_org, title={"id": "Rahasia Melati"})
    login(client, "viewer@mawar.test")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "Test survey" in page  # the title in the interface language (English here)
    assert "Rahasia Melati" not in page
    assert client.get(f"/surveys/{outsider_survey.id}").status_code == 404


def test_viewer_sees_no_editing_controls(client, world, objects):
    login(client, "viewer@mawar.test")
    page = client.get(f"/surveys/{objects['survey']}").get_data(as_text=True)
    assert "/details" not in page and "/publish" not in page and "questions/new" not in page
    assert f"/surveys/{objects['survey']}/definition.json" in page
