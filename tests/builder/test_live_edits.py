"""Safe editing of a survey that has answers: destructive edits through the
editor are refused or become retirements, and stored answers keep pointing
at the same question and option with the same meaning."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from surveyapp.surveys import definition, services
from surveyapp.surveys.models import Option, Question, Survey
from tests import factories
from tests.builder.conftest import post, question_form, simple_survey

SAT_TITLE = {"id": "Puas?", "en": "Satisfied?"}
WHICH_TITLE = {"id": "Yang mana?", "en": "Which?"}


def scale(values=range(1, 6), labels="L"):
    return [{"code": str(n), "label": {"id": f"{labels}{n}", "en": f"P{n}"}, "value": n} for n in values]


def answered_survey(world):
    survey = simple_survey(world.org)
    factories.respond(survey, {"uses": "yes", "which": "a", "sat": "4"})
    factories.respond(survey, {"uses": "yes", "which": "b", "sat": "5"})
    return survey


def meaning():
    """Every stored answer with what it points at, read fresh from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        db.select(
            Answer.id,
            Answer.question_id,
            Question.code,
            Question.type,
            Answer.option_id,
            Option.code,
            Option.value,
            Option.label,
            Answer.value_num,
        )
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Option, Option.id == Answer.option_id)
        .order_by(Answer.id)
    ).all()
    return [tuple(r) for r in rows]


def q(survey, code) -> Question:
    db.session.expire_all()
    return next(x for x in db.session.get(Survey, survey.id).questions if x.code == code)


def edit(client, survey, question, form):
    return post(client, f"/surveys/{survey.id}/questions/{question.id}", form)


def test_editor_explains_the_rules_and_fixes_answered_codes(editor_client, world):
    survey = answered_survey(world)
    page = editor_client.get(f"/surveys/{survey.id}/questions/{q(survey, 'sat').id}").get_data(as_text=True)
    assert "This question has 2 answers, so its type and code are fixed." in page
    assert "The points of the scale cannot be added or removed" in page
    assert 'name="code" id="f-code" value="sat" maxlength="64" readonly' in page
    assert 'name="type" value="likert"' in page and 'name="type" id="f-type"' not in page
    assert 'name="option-3-code" id="f-option-3-code" value="4" maxlength="64" readonly' in page  # chosen
    assert 'name="option-0-code" id="f-option-0-code" value="1" maxlength="64">' in page  # never chosen: editable


def test_type_change_is_refused(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    response = edit(
        editor_client,
        survey,
        q(survey, "which"),
        question_form(
            "which",
            "multiple_choice",
            WHICH_TITLE,
            options=[
                {"code": "a", "label": {"id": "A", "en": "A"}, "value": 1},
                {"code": "b", "label": {"id": "B", "en": "B"}, "value": 2},
            ],
        ),
    )
    assert response.status_code == 422
    assert "its type cannot change" in response.get_data(as_text=True)
    assert q(survey, "which").type == "single_choice"
    assert meaning() == before


def test_code_change_is_refused(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    response = edit(
        editor_client,
        survey,
        q(survey, "sat"),
        question_form("satisfaction", "likert", SAT_TITLE, settings={"points": "5"}, options=scale()),
    )
    assert response.status_code == 422
    assert "its code cannot change" in response.get_data(as_text=True)
    assert meaning() == before


def test_scale_points_are_fixed_but_wording_may_change(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    sat = q(survey, "sat")
    response = edit(
        editor_client,
        survey,
        sat,
        question_form("sat", "likert", SAT_TITLE, settings={"points": "7"}, options=scale(range(1, 8))),
    )
    assert response.status_code == 422
    assert "points cannot be added or removed" in response.get_data(as_text=True)
    assert meaning() == before
    # Same points, new wording: allowed, the answers keep code and value.
    assert (
        edit(
            editor_client,
            survey,
            sat,
            question_form("sat", "likert", SAT_TITLE, settings={"points": "5"}, options=scale(labels="Baru ")),
        ).status_code
        == 303
    )
    after = meaning()
    assert [(r[0], r[1], r[4], r[5], r[6], r[8]) for r in after] == [
        (r[0], r[1], r[4], r[5], r[6], r[8]) for r in before
    ]
    assert {r[7]["id"] for r in after if r[2] == "sat"} == {"Baru 4", "Baru 5"}


def test_value_of_a_chosen_option_is_fixed(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    response = edit(
        editor_client,
        survey,
        q(survey, "which"),
        question_form(
            "which",
            "single_choice",
            WHICH_TITLE,
            options=[
                {"code": "a", "label": {"id": "A", "en": "A"}, "value": 10},
                {"code": "b", "label": {"id": "B", "en": "B"}, "value": 2},
            ],
        ),
    )
    assert response.status_code == 422
    assert 'Answer "a" has been chosen already, so its value cannot change.' in response.get_data(as_text=True).replace(
        "&#34;", '"'
    )
    assert meaning() == before


def test_removing_a_chosen_option_retires_it(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    which = q(survey, "which")
    option_b = next(o for o in which.options if o.code == "b")
    form = question_form(
        "which",
        "single_choice",
        WHICH_TITLE,
        options=[
            {"code": "a", "label": {"id": "A", "en": "A"}, "value": 1},
            {"code": "b", "label": {"id": "B", "en": "B"}, "value": 2, "remove": True},
            {"code": "c", "label": {"id": "C", "en": "C"}, "value": 3},
        ],
    )
    assert edit(editor_client, survey, which, form).status_code == 303
    assert meaning() == before
    db.session.expire_all()
    retired = db.session.get(Option, option_b.id)
    assert retired.retired_at is not None and retired.code == "b" and retired.value == 2
    exported = definition.export_definition(db.session.get(Survey, survey.id))
    assert [o["code"] for o in exported["pages"][0]["questions"][1]["options"]] == ["a", "c"]
    page = editor_client.get(f"/surveys/{survey.id}/questions/{which.id}").get_data(as_text=True)
    assert "Retired answers" in page and "qrow--retired" in page
    preview = editor_client.get(f"/surveys/{survey.id}/preview?lang=en").get_data(as_text=True)
    assert 'value="b"' not in preview.split('id="question-which"')[1].split('id="question-sat"')[0]
    # Putting it back restores the same row.
    form["option-1-remove"] = ""
    del form["option-1-remove"]
    assert edit(editor_client, survey, which, form).status_code == 303
    db.session.expire_all()
    assert db.session.get(Option, option_b.id).retired_at is None


def test_deleting_an_answered_question_retires_it(editor_client, world):
    survey = answered_survey(world)
    before = meaning()
    sat = q(survey, "sat")
    confirm = editor_client.get(f"/surveys/{survey.id}/questions/{sat.id}/delete").get_data(as_text=True)
    assert "It has 2 answers, so it will be retired rather than deleted" in confirm
    response = post(editor_client, f"/surveys/{survey.id}/questions/{sat.id}/delete")
    assert response.status_code == 303
    assert meaning() == before
    assert q(survey, "sat").retired_at is not None
    overview = editor_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    row = overview.split(f'id="question-{sat.id}"')[0].rsplit("<div", 1)[1]
    assert "qrow--retired" in row
    assert "Retired: residents no longer see this question" in overview
    assert "Puas?" not in editor_client.get(f"/surveys/{survey.id}/preview?lang=id").get_data(as_text=True)
    assert [
        x["code"] for x in definition.export_definition(db.session.get(Survey, survey.id))["pages"][0]["questions"]
    ] == ["uses", "which"]
    # Its code stays taken, so a new question cannot take over its answers.
    response = post(
        editor_client,
        f"/surveys/{survey.id}/pages/{survey.pages[0].id}/questions/new",
        question_form("sat", "short_text", {"id": "Baru", "en": "New"}),
    )
    assert response.status_code == 422
    assert meaning() == before


def test_matrix_scale_fixed_and_answered_row_retired(editor_client, world):
    survey = simple_survey(world.org)
    page = survey.pages[0]
    grid = services.add_question(
        page,
        type_name="matrix",
        code="grid",
        title={"id": "Nilai", "en": "Rate"},
        options=scale(range(1, 4)),
        items=[
            {"code": "water", "label": {"id": "Air", "en": "Water"}},
            {"code": "road", "label": {"id": "Jalan", "en": "Road"}},
        ],
    )
    water = next(o for o in grid.options if o.code == "water")
    factories.respond(survey, {"grid": {"water": "3"}}, check=False)  # "uses" is required
    before = [
        (a.question_id, a.item_id, a.option_id, a.value_num) for a in db.session.execute(db.select(Answer)).scalars()
    ]
    title = {"id": "Nilai", "en": "Rate"}
    items = [
        {"code": "water", "label": {"id": "Air", "en": "Water"}},
        {"code": "road", "label": {"id": "Jalan", "en": "Road"}},
    ]
    refused = edit(
        editor_client, survey, grid, question_form("grid", "matrix", title, options=scale(range(1, 3)), items=items)
    )
    assert refused.status_code == 422
    ok = edit(
        editor_client,
        survey,
        grid,
        question_form(
            "grid", "matrix", title, options=scale(range(1, 4)), items=[{**items[0], "remove": True}, items[1]]
        ),
    )
    assert ok.status_code == 303
    db.session.expire_all()
    assert db.session.get(Option, water.id).retired_at is not None
    assert [
        (a.question_id, a.item_id, a.option_id, a.value_num) for a in db.session.execute(db.select(Answer)).scalars()
    ] == before
