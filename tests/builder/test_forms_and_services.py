"""The form parsers on their own, and the service fixes made for the
builder (draft checks, one transaction per question, language removal,
checks that see the new order)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from surveyapp.builder import forms
from surveyapp.extensions import db
from surveyapp.surveys import definition, services
from surveyapp.surveys.models import Survey
from tests import factories
from tests.builder.conftest import simple_survey


@pytest.fixture
def req(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def test_languages_from_ticks_and_typed_codes(req):
    errors = {}
    assert forms.parse_languages(
        MultiDict([("languages", "id"), ("languages", "en"), ("new_languages", "jv, su;jv")]), errors
    ) == ["id", "en", "jv", "su"]
    assert errors == {}
    errors = {}
    forms.parse_languages(MultiDict([("languages", "<b>")]), errors)
    assert "languages" in errors
    errors = {}
    forms.parse_languages(MultiDict([("new_languages", " ".join(f"a{c}" for c in "bcdefghijkl"))]), errors)
    assert "at most 10" in errors["languages"]


def test_row_actions_move_and_add(req):
    state = {
        "type": "single_choice",
        "settings": {},
        "items": [],
        "options": [{"code": "a", "label": {"id": "A"}}, {"code": "b", "label": {"id": "B"}}],
    }
    assert forms.apply_row_action(state, "option-down-0", ["id"])
    assert [r["code"] for r in state["options"]] == ["b", "a"]
    assert forms.apply_row_action(state, "option-up-0", ["id"])  # top row: nothing to do
    assert [r["code"] for r in state["options"]] == ["b", "a"]
    assert forms.apply_row_action(state, "more-options", ["id"]) and len(state["options"]) == 5
    assert not forms.apply_row_action(state, "save", ["id"])
    assert not forms.apply_row_action(state, "option-down-x", ["id"])


def test_refresh_presets_a_seven_point_scale_only_when_rows_are_empty(req):
    state = forms.new_question_state("single_choice", "q1", ["id", "en"])
    state["type"], state["settings"] = "likert", {"points": "7"}
    forms.apply_row_action(state, "refresh", ["id", "en"])
    assert [r["code"] for r in state["options"]] == [str(n) for n in range(1, 8)]
    state["settings"]["points"] = "5"  # the preset follows while untouched
    forms.apply_row_action(state, "refresh", ["id", "en"])
    assert [r["code"] for r in state["options"]] == [str(n) for n in range(1, 6)]
    state["options"][0]["label"]["en"] = "Hate it"  # once edited, it stays
    state["settings"]["points"] = "7"
    forms.apply_row_action(state, "refresh", ["id", "en"])
    assert len(state["options"]) == 5
    state["type"] = "matrix"
    forms.apply_row_action(state, "refresh", ["id", "en"])
    assert len(state["options"]) == 5 and len(state["items"]) == 3


def test_logic_state_round_trips_flat_conditions_and_flags_nested(req):
    flat = {"any": [{"question": "a", "op": "any_of", "value": ["x", "y"]}, {"question": "b", "op": "gt", "value": 2}]}
    state = forms.logic_state(flat)
    assert state["match"] == "any" and not state["nested"]
    assert forms.condition_from_rows(state, {}) == (flat, {})
    nested = {"all": [{"any": [{"question": "a", "op": "answered"}]}]}
    assert forms.logic_state(nested)["nested"] is True
    assert forms.condition_from_rows({"match": "all", "clauses": []}, {}) == (None, {})


def test_clause_value_types(ctx, world):
    survey = simple_survey(world.org)
    services.add_question(survey.pages[0], type_name="number", code="size", title={"id": "Berapa?", "en": "How many?"})
    earlier = {q.code: q for q in survey.questions}
    rows = {
        "match": "all",
        "clauses": [
            {"question": "which", "item": "", "op": "equals", "value": "1"},
            {"question": "size", "item": "", "op": "equals", "value": "1"},
        ],
    }
    with ctx.test_request_context("/"):
        condition, errors = forms.condition_from_rows(rows, earlier)
    assert errors == {}
    assert condition["all"][0]["value"] == "1"  # an option code stays text
    assert condition["all"][1]["value"] == 1  # a number compares as a number


def test_condition_problems_names_the_shape_error(req):
    assert definition.condition_problems({"question": "a", "op": "answered"}) == []
    problems = definition.condition_problems({"any": [{"question": "a", "op": "gt", "value": "x"}]})
    assert problems and problems[0].path.startswith("any[0]")


def test_draft_surveys_may_have_empty_pages_but_imports_may_not(ctx, world):
    survey = services.create_blank(
        world.org.id, None, title="Kosong", kind="custom", languages=["id"], default_language="id"
    )
    services.add_page(survey)
    services.update_details(
        survey, kind="trust", languages=["id"], default_language="id", texts={"title": {"id": "Baru"}}, anonymous=False
    )
    assert survey.kind == "trust"
    document = definition.export_definition(survey)
    assert definition.validate(document, draft=True) == []
    assert any(p.path == "pages[0].questions" for p in definition.validate(document))


def test_save_question_is_all_or_nothing(ctx, world):
    survey = simple_survey(world.org)
    factories.respond(survey, {"sat": "4"}, check=False)  # "uses" is required
    sat = next(q for q in survey.questions if q.code == "sat")
    options = [{"code": str(n), "label": {"id": f"Baru {n}", "en": f"New {n}"}, "value": n} for n in range(1, 8)]
    with pytest.raises(services.EditRefused):
        services.save_question(
            sat,
            code="sat",
            type_name="likert",
            title={"id": "Judul baru", "en": "New"},
            required=True,
            help_text={},
            metric_role="satisfaction",
            settings={"points": 7},
            options=options,
            items=[],
        )
    db.session.expire_all()
    sat = db.session.get(Survey, survey.id).questions[2]
    assert sat.title == {"id": "Puas?", "en": "Satisfied?"} and sat.metric_role is None and not sat.required
    assert [o.label["id"] for o in sat.options] == [f"L{n}" for n in range(1, 6)]


def test_check_sees_a_move_that_would_point_logic_forward(ctx, world):
    survey = simple_survey(world.org)
    which = next(q for q in survey.questions if q.code == "which")
    with pytest.raises(services.EditRefused) as refusal:
        services.move_question(which, -1)
    assert any("comes later" in m for m in refusal.value.messages)
    assert refusal.value.problems and refusal.value.problems[0].path.endswith(".logic")
    db.session.expire_all()
    assert [q.code for q in db.session.get(Survey, survey.id).questions] == ["uses", "which", "sat"]


def test_removing_a_language_strips_setting_texts(ctx, world):
    survey = simple_survey(world.org)
    services.add_question(
        survey.pages[0],
        type_name="rating_0_10",
        code="nps",
        title={"id": "Nilai", "en": "Score"},
        settings={"low_label": {"id": "Rendah", "en": "Low"}},
    )
    services.update_details(
        survey,
        kind="custom",
        languages=["id"],
        default_language="id",
        texts={"title": {"id": "Survei uji"}},
        anonymous=False,
    )
    db.session.expire_all()
    nps = next(q for q in db.session.get(Survey, survey.id).questions if q.code == "nps")
    assert nps.settings == {"low_label": {"id": "Rendah"}}
    assert services.missing_translations(nps.survey) == []


def test_own_template_copy_keeps_the_structure(ctx, world):
    template = services.duplicate(simple_survey(world.org), None, as_template=True)
    created = services.create_from_own_template(template, world.editor.id)
    assert not created.is_template and created.created_by_id == world.editor.id
    assert definition.export_definition(created) == definition.export_definition(template)


def test_plain_string_setting_texts_open_in_the_default_language(ctx, world):
    survey = simple_survey(world.org)
    question = services.add_question(
        survey.pages[0], type_name="number", code="km", title={"id": "Jarak", "en": "Distance"}
    )
    question.settings = {"unit": "km"}
    db.session.commit()
    state = forms.question_state(question, ["id", "en"])
    assert state["settings"]["unit"] == {"id": "km", "en": ""}
