"""The skip-logic editor: clause rows (no JavaScript), all/any, matrix
rows, the advanced JSON field, and refusals shown next to the field."""

from __future__ import annotations

import json

import pytest

from surveyapp.extensions import db
from surveyapp.surveys import services
from surveyapp.surveys.models import Question, Survey
from tests.builder.conftest import post, simple_survey


def add_matrix_and_number(survey):
    page = survey.pages[0]
    services.add_question(
        page,
        type_name="matrix",
        code="grid",
        title={"id": "Nilai", "en": "Rate"},
        options=[
            {"code": "1", "label": {"id": "Buruk", "en": "Bad"}, "value": 1},
            {"code": "2", "label": {"id": "Baik", "en": "Good"}, "value": 2},
        ],
        items=[{"code": "water", "label": {"id": "Air", "en": "Water"}}],
    )
    services.add_question(page, type_name="number", code="size", title={"id": "Berapa?", "en": "How many?"})
    return services.add_question(page, type_name="long_text", code="why", title={"id": "Mengapa?", "en": "Why?"})


def logic_of(question_id):
    db.session.expire_all()
    return db.session.get(Question, question_id).logic


def url(survey, question):
    return f"/surveys/{survey.id}/questions/{question.id}/logic"


def test_rows_build_an_all_group_with_typed_values(editor_client, world):
    survey = simple_survey(world.org)
    why = add_matrix_and_number(survey)
    page = editor_client.get(url(survey, why)).get_data(as_text=True)
    for code in ("uses", "which", "sat", "grid", "size"):
        assert f'<option value="{code}"' in page
    assert '<option value="why"' not in page  # not itself, nothing later
    data = {
        "action": "rows",
        "match": "all",
        "clause-0-question": "uses",
        "clause-0-op": "equals",
        "clause-0-value": "yes",
        "clause-1-question": "size",
        "clause-1-op": "gt",
        "clause-1-value": "2,5",
        "clause-2-question": "grid",
        "clause-2-item": "water",
        "clause-2-op": "lt",
        "clause-2-value": "2",
        "clause-3-question": "which",
        "clause-3-op": "any_of",
        "clause-3-value": "a, b",
        "clause-4-question": "sat",
        "clause-4-op": "answered",
        "clause-4-value": "",
        "clause-5-question": "",
        "clause-5-op": "equals",
        "clause-5-value": "",
    }
    assert post(editor_client, url(survey, why), data).status_code == 303
    assert logic_of(why.id) == {
        "all": [
            {"question": "uses", "op": "equals", "value": "yes"},
            {"question": "size", "op": "gt", "value": 2.5},
            {"question": "grid", "op": "lt", "item": "water", "value": 2},
            {"question": "which", "op": "any_of", "value": ["a", "b"]},
            {"question": "sat", "op": "answered"},
        ]
    }
    # Shown again as rows, and described on the survey page.
    page = editor_client.get(url(survey, why)).get_data(as_text=True)
    assert 'name="clause-4-question"' in page and 'value="a, b"' in page
    overview = editor_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Shown only when: uses equals yes and size is greater than 2.5" in overview


def test_single_row_any_and_clearing(editor_client, world):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    data = {
        "action": "rows",
        "match": "any",
        "clause-0-question": "uses",
        "clause-0-op": "not_equals",
        "clause-0-value": "no",
    }
    assert post(editor_client, url(survey, sat), data).status_code == 303
    assert logic_of(sat.id) == {"question": "uses", "op": "not_equals", "value": "no"}
    data.update({"clause-1-question": "which", "clause-1-op": "equals", "clause-1-value": "b"})
    post(editor_client, url(survey, sat), data)
    assert logic_of(sat.id) == {
        "any": [
            {"question": "uses", "op": "not_equals", "value": "no"},
            {"question": "which", "op": "equals", "value": "b"},
        ]
    }
    assert post(editor_client, url(survey, sat), {"action": "clear"}).status_code == 303
    assert logic_of(sat.id) is None


def test_more_rows_button_saves_nothing(editor_client, world):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    response = post(
        editor_client,
        url(survey, sat),
        {"action": "more", "clause-0-question": "uses", "clause-0-op": "equals", "clause-0-value": "yes"},
    )
    assert response.status_code == 200
    assert 'name="clause-2-question"' in response.get_data(as_text=True)
    assert logic_of(sat.id) is None


@pytest.mark.parametrize(
    "data,field,message",
    [
        (
            {"clause-0-question": "ghost", "clause-0-op": "equals", "clause-0-value": "yes"},
            "logic",
            'The condition uses question "ghost", which does not exist.',
        ),
        (
            {"clause-0-question": "which", "clause-0-op": "equals", "clause-0-value": "zzz"},
            "logic",
            'has no answer "zzz"',
        ),
        (
            {"clause-0-question": "uses", "clause-0-op": "gt", "clause-0-value": "many"},
            "clause-0-value",
            "Give a number to compare with.",
        ),
        (
            {"clause-0-question": "uses", "clause-0-op": "gt", "clause-0-value": "1"},
            "logic",
            "only work on number and rating questions",
        ),
        (
            {"clause-0-question": "uses", "clause-0-op": "between", "clause-0-value": "1"},
            "clause-0-op",
            "Choose one of the listed comparisons.",
        ),
        (
            {"clause-0-question": "uses", "clause-0-op": "equals", "clause-0-value": ""},
            "clause-0-value",
            "Give a value to compare with.",
        ),
        (
            {"clause-0-question": "uses", "clause-0-op": "equals", "clause-0-value": "ya tentu"},
            "clause-0-value",
            "Compare with an answer code",
        ),
        (
            {"clause-0-question": "x y", "clause-0-op": "answered"},
            "clause-0-question",
            "Choose one of the listed questions.",
        ),
        ({"match": "most", "clause-0-question": "uses", "clause-0-op": "answered"}, "match", 'Choose "all" or "any".'),
    ],
)
def test_bad_rows_are_refused_next_to_the_field(editor_client, world, data, field, message):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    response = post(editor_client, url(survey, sat), {"action": "rows", "match": "all", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#34;", '"')
    assert f'id="f-{field}-error"' in page
    error_at = page.index(f'id="f-{field}-error"')
    assert message in page[error_at : error_at + 400]
    assert logic_of(sat.id) is None


def test_forward_reference_is_refused(editor_client, world):
    survey = simple_survey(world.org)
    uses = next(q for q in survey.questions if q.code == "uses")
    response = post(
        editor_client,
        url(survey, uses),
        {"action": "rows", "match": "all", "clause-0-question": "sat", "clause-0-op": "answered"},
    )
    assert response.status_code == 422
    assert "comes later" in response.get_data(as_text=True)
    assert logic_of(uses.id) is None


def test_self_reference_is_refused(editor_client, world):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    response = post(
        editor_client,
        url(survey, sat),
        {"action": "json", "advanced": json.dumps({"question": "sat", "op": "answered"})},
    )
    assert response.status_code == 422
    assert "comes later" in response.get_data(as_text=True)


def test_matrix_clause_needs_a_row(editor_client, world):
    survey = simple_survey(world.org)
    why = add_matrix_and_number(survey)
    response = post(
        editor_client,
        url(survey, why),
        {"action": "rows", "match": "all", "clause-0-question": "grid", "clause-0-op": "equals", "clause-0-value": "1"},
    )
    assert response.status_code == 422
    assert 'id="f-clause-0-item-error"' in response.get_data(as_text=True)


def test_advanced_json_allows_nested_groups(editor_client, world):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    condition = {
        "any": [
            {"question": "uses", "op": "equals", "value": "no"},
            {"all": [{"question": "which", "op": "equals", "value": "a"}, {"question": "uses", "op": "answered"}]},
        ]
    }
    assert (
        post(editor_client, url(survey, sat), {"action": "json", "advanced": json.dumps(condition)}).status_code == 303
    )
    assert logic_of(sat.id) == condition
    page = editor_client.get(url(survey, sat)).get_data(as_text=True)
    assert "edit them as JSON" in page and 'name="clause-0-question"' not in page


@pytest.mark.parametrize(
    "text,message",
    [
        ("{oops", "not valid JSON"),
        ("[1, 2]", "A condition is a JSON object."),
        (json.dumps({"all": "uses"}), "is not of type"),
        (json.dumps({"question": "uses", "op": "equals"}), "required"),
        ("[" * 3000 + "]" * 3000, "nested"),
        (
            json.dumps(
                {"all": [{"all": [{"all": [{"all": [{"all": [{"all": [{"question": "uses", "op": "answered"}]}]}]}]}]}]}
            ),
            "at most 5 deep",
        ),
        ("x" * 30000, "under 20000 characters"),
    ],
)
def test_bad_json_is_refused(editor_client, world, text, message):
    survey = simple_survey(world.org)
    sat = next(q for q in survey.questions if q.code == "sat")
    response = post(editor_client, url(survey, sat), {"action": "json", "advanced": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-advanced-error"' in page
    assert message in page[page.index('id="f-advanced-error"') :][:800]
    assert logic_of(sat.id) is None


def test_page_logic_uses_only_earlier_pages(editor_client, world):
    survey = simple_survey(world.org)
    page2 = services.add_page(survey)
    services.add_question(page2, type_name="short_text", code="more", title={"id": "Lagi", "en": "More"})
    first = f"/surveys/{survey.id}/pages/{survey.pages[0].id}/logic"
    second = f"/surveys/{survey.id}/pages/{page2.id}/logic"
    page = editor_client.get(second).get_data(as_text=True)
    assert '<option value="uses"' in page and '<option value="more"' not in page
    data = {
        "action": "rows",
        "match": "all",
        "clause-0-question": "uses",
        "clause-0-op": "equals",
        "clause-0-value": "yes",
    }
    assert post(editor_client, second, data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).pages[1].logic == {"question": "uses", "op": "equals", "value": "yes"}
    response = post(editor_client, first, data)
    assert response.status_code == 422
    assert "comes later" in response.get_data(as_text=True)
    preview = editor_client.get(f"/surveys/{survey.id}/preview?lang=en").get_data(as_text=True)
    assert "Shown only when: uses equals yes" in preview
