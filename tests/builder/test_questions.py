"""The question editor: every type with its settings, options and matrix
rows; no-JavaScript row buttons; bad input gets 422 and saves nothing."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.questions import QUESTION_TYPES
from surveyapp.surveys import definition
from surveyapp.surveys.models import Question, Survey
from tests.builder.conftest import XSS, form_from_definition, post, question_form, simple_survey

T = {"id": "Pertanyaan", "en": "Question"}
OPTS = [
    {"code": "a", "label": {"id": "Satu", "en": "One"}},
    {"code": "b", "label": {"id": "Dua", "en": "Two"}},
    {"code": "c", "label": {"id": "Tiga", "en": "Three"}},
]


def new_url(survey):
    return f"/surveys/{survey.id}/pages/{survey.pages[0].id}/questions/new"


def question(survey, code) -> Question:
    db.session.expire_all()
    return next(q for q in db.session.get(Survey, survey.id).questions if q.code == code)


def codes(survey):
    db.session.expire_all()
    return [q.code for q in db.session.get(Survey, survey.id).questions]


# Every type with its settings, as the editor should store them.
EVERY_TYPE = [
    {
        "code": "pick",
        "type": "single_choice",
        "title": T,
        "settings": {"display": "dropdown"},
        "options": OPTS[:2] + [{"code": "other", "label": {"id": "Lainnya", "en": "Other"}, "is_other": True}],
    },
    {
        "code": "many",
        "type": "multiple_choice",
        "title": T,
        "settings": {"min_selected": 1, "max_selected": 2},
        "options": OPTS,
    },
    {
        "code": "yn",
        "type": "yes_no",
        "title": T,
        "required": True,
        "options": [
            {"code": "yes", "label": {"id": "Ya", "en": "Yes"}, "value": 1},
            {"code": "no", "label": {"id": "Tidak", "en": "No"}, "value": 0},
        ],
    },
    {
        "code": "agree",
        "type": "likert",
        "title": T,
        "settings": {"points": 7},
        "metric_role": "relations",
        "options": [{"code": str(n), "label": {"id": f"T{n}", "en": f"L{n}"}, "value": n} for n in range(1, 8)],
    },
    {
        "code": "grid",
        "type": "matrix",
        "title": T,
        "options": [{"code": str(n), "label": {"id": f"T{n}", "en": f"L{n}"}, "value": n} for n in range(1, 4)],
        "items": [
            {"code": "water", "label": {"id": "Air", "en": "Water"}},
            {"code": "road", "label": {"id": "Jalan", "en": "Road"}},
        ],
    },
    {
        "code": "nps",
        "type": "rating_0_10",
        "title": T,
        "metric_role": "recommend",
        "settings": {
            "low_label": {"id": "Tidak mungkin", "en": "Not likely"},
            "high_label": {"id": "Sangat mungkin", "en": "Very likely"},
        },
    },
    {"code": "stars", "type": "stars", "title": T},
    {"code": "rank", "type": "ranking", "title": T, "settings": {"rank_count": 2}, "options": OPTS},
    {
        "code": "people",
        "type": "number",
        "title": T,
        "settings": {"integer": True, "min": 0, "max": 40, "unit": {"id": "orang", "en": "people"}},
        "metric_role": "outcome:household_size",
    },
    {"code": "when", "type": "date", "title": T, "settings": {"min": "2020-01-01", "max": "2030-12-31"}},
    {
        "code": "phone",
        "type": "short_text",
        "title": T,
        "settings": {"pattern": "phone", "max_length": 20},
        "help_text": {"id": "Bantuan", "en": "Help"},
        "metric_role": "demographic:contact",
    },
    {"code": "story", "type": "long_text", "title": T, "settings": {"max_length": 3000}, "metric_role": "feedback"},
    {"code": "info", "type": "note", "title": T},
]


def test_every_type_is_offered():
    assert {q["type"] for q in EVERY_TYPE} == set(QUESTION_TYPES)


@pytest.mark.parametrize("spec", EVERY_TYPE, ids=[q["type"] for q in EVERY_TYPE])
def test_add_each_type_with_its_settings(editor_client, world, spec):
    survey = simple_survey(world.org)
    page = editor_client.get(new_url(survey) + f"?type={spec['type']}")
    assert page.status_code == 200
    response = post(editor_client, new_url(survey), form_from_definition(spec))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    stored = definition.export_definition(db.session.get(Survey, survey.id))["pages"][0]["questions"][-1]
    expected = {"required": False, **spec}
    if spec["type"] == "note":
        expected["required"] = False
    assert stored == expected


def test_new_question_form_has_presets(editor_client, world):
    survey = simple_survey(world.org)
    page = editor_client.get(new_url(survey) + "?type=likert").get_data(as_text=True)
    assert 'value="Sangat setuju"' in page and 'value="Strongly agree"' in page
    page = editor_client.get(new_url(survey) + "?type=yes_no").get_data(as_text=True)
    assert 'name="option-0-code"' in page and 'value="yes"' in page and "readonly" in page
    assert 'name="code" id="f-code" value="q4"' in page


def test_option_codes_are_filled_in_when_left_empty(editor_client, world):
    survey = simple_survey(world.org)
    form = question_form(
        "kind",
        "single_choice",
        T,
        options=[
            {"code": "", "label": {"id": "A"}},
            {"code": "1", "label": {"id": "B"}},
            {"code": "", "label": {"id": "C"}},
            {"code": "", "label": {}},
        ],
    )
    assert post(editor_client, new_url(survey), form).status_code == 303
    q = question(survey, "kind")
    assert [(o.code, o.label) for o in q.options] == [("2", {"id": "A"}), ("1", {"id": "B"}), ("3", {"id": "C"})]


def test_row_buttons_move_and_add_without_saving(editor_client, world):
    survey = simple_survey(world.org)
    form = question_form("kind", "single_choice", T, options=OPTS, action="option-down-0")
    response = post(editor_client, new_url(survey), form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index('value="b"') < page.index('value="a"')
    assert codes(survey) == ["uses", "which", "sat"]
    response = post(editor_client, new_url(survey), {**form, "action": "more-options"})
    assert 'name="option-5-code"' in response.get_data(as_text=True)
    response = post(editor_client, new_url(survey), {**question_form("g", "matrix", T), "action": "refresh"})
    page = response.get_data(as_text=True)
    assert 'name="item-0-code"' in page and 'value="Strongly agree"' in page


def test_remove_checkbox_drops_an_unanswered_option(editor_client, world):
    survey = simple_survey(world.org)
    which = question(survey, "which")
    form = question_form(
        "which",
        "single_choice",
        {"id": "Yang mana?", "en": "Which?"},
        options=[
            {"code": "a", "label": {"id": "A", "en": "A"}, "value": 1},
            {"code": "b", "label": {"id": "B", "en": "B"}, "value": 2, "remove": True},
            {"code": "c", "label": {"id": "C", "en": "C"}},
        ],
    )
    assert post(editor_client, f"/surveys/{survey.id}/questions/{which.id}", form).status_code == 303
    assert [o.code for o in question(survey, "which").options] == ["a", "c"]


BAD = [
    (
        "empty title",
        question_form("x", "short_text", {"id": "", "en": "Only English"}),
        "title-id",
        "Enter the question in Bahasa Indonesia.",
    ),
    ("title too long", question_form("x", "short_text", {"id": "x" * 301}), "title-id", "under 300 characters"),
    ("bad code", question_form("1x y", "short_text", T), "code", "Start with a letter"),
    ("code taken", question_form("sat", "short_text", T), "code", "is used by another question"),
    (
        "duplicate option codes",
        question_form("x", "single_choice", T, options=[OPTS[0], {**OPTS[1], "code": "a"}]),
        "option-1-code",
        'The code "a" is used twice.',
    ),
    (
        "bad option code",
        question_form("x", "single_choice", T, options=[OPTS[0], {**OPTS[1], "code": "b c"}]),
        "option-1-code",
        "no spaces",
    ),
    (
        "option without label",
        question_form("x", "single_choice", T, options=[OPTS[0], {"code": "b", "label": {"en": "Two"}}]),
        "option-1-label-id",
        "Every answer needs a label",
    ),
    ("one option", question_form("x", "single_choice", T, options=[OPTS[0]]), "options", "Give at least two answers."),
    (
        "two others",
        question_form("x", "single_choice", T, options=[{**OPTS[0], "is_other": True}, {**OPTS[1], "is_other": True}]),
        "options",
        "Only one answer can be",
    ),
    (
        "bad value",
        question_form("x", "single_choice", T, options=[{**OPTS[0], "value": "lots"}, OPTS[1]]),
        "option-0-value",
        "Enter a number",
    ),
    (
        "matrix without items",
        question_form("x", "matrix", T, options=OPTS),
        "items",
        "A matrix needs at least one row.",
    ),
    (
        "likert wrong count",
        question_form(
            "x",
            "likert",
            T,
            settings={"points": "7"},
            options=[{"code": str(n), "label": {"id": str(n)}, "value": n} for n in range(1, 6)],
        ),
        "options",
        "A 7-point scale needs exactly 7 answers.",
    ),
    (
        "likert without values",
        question_form(
            "x",
            "likert",
            T,
            settings={"points": "5"},
            options=[{"code": str(n), "label": {"id": str(n)}} for n in range(1, 6)],
        ),
        "options",
        "numeric value",
    ),
    (
        "multiple min > max",
        question_form("x", "multiple_choice", T, options=OPTS, settings={"min_selected": "3", "max_selected": "2"}),
        "s-min_selected",
        "larger than the maximum",
    ),
    (
        "multiple max > options",
        question_form("x", "multiple_choice", T, options=OPTS, settings={"max_selected": "9"}),
        "s-max_selected",
        "from 0 to 3",
    ),
    (
        "number min > max",
        question_form("x", "number", T, settings={"min": "10", "max": "1"}),
        "s-min",
        "The minimum is larger than the maximum.",
    ),
    ("number not a number", question_form("x", "number", T, settings={"min": "ten"}), "s-min", "Enter a number"),
    (
        "date min > max",
        question_form("x", "date", T, settings={"min": "2026-05-01", "max": "2026-01-01"}),
        "s-min",
        "The earliest date is after the latest date.",
    ),
    ("bad date", question_form("x", "date", T, settings={"min": "17/08/2026"}), "s-min", "Use a date like 2026-08-17."),
    (
        "short text too long limit",
        question_form("x", "short_text", T, settings={"max_length": "900"}),
        "s-max_length",
        "from 1 to 500",
    ),
    (
        "unknown pattern",
        question_form("x", "short_text", T, settings={"pattern": "ktp"}),
        "s-pattern",
        "Choose one of the listed formats.",
    ),
    (
        "rank count too big",
        question_form("x", "ranking", T, options=OPTS, settings={"rank_count": "5"}),
        "s-rank_count",
        "from 1 to 3",
    ),
    (
        "role without name",
        question_form("x", "rating_0_10", T, role_kind="trust", role_name=""),
        "role_name",
        "small letters",
    ),
    (
        "unknown role",
        question_form("x", "rating_0_10", T, role_kind="vibes"),
        "role_kind",
        "Choose one of the listed roles.",
    ),
    (
        "yes/no codes changed",
        question_form(
            "x", "yes_no", T, options=[{"code": "ya", "label": {"id": "Ya"}}, {"code": "no", "label": {"id": "Tidak"}}]
        ),
        "options",
        "exactly the answers",
    ),
]


@pytest.mark.parametrize("name,form,field,message", BAD, ids=[b[0] for b in BAD])
def test_bad_question_input_is_refused_and_nothing_saved(editor_client, world, name, form, field, message):
    survey = simple_survey(world.org)
    before = definition.export_definition(survey)
    response = post(editor_client, new_url(survey), form)
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#34;", '"')
    assert message in page
    assert f'id="f-{field}-error"' in page or f'id="f-{field}"' in page
    assert f'href="#f-{field}"' in page  # the summary links to the field
    db.session.expire_all()
    assert definition.export_definition(db.session.get(Survey, survey.id)) == before


def test_unknown_type_is_refused(editor_client, world):
    survey = simple_survey(world.org)
    response = post(editor_client, new_url(survey), question_form("x", "essay", T))
    assert response.status_code == 422
    assert codes(survey) == ["uses", "which", "sat"]


def test_edit_changes_type_and_clears_options_when_unanswered(editor_client, world):
    survey = simple_survey(world.org)
    which = question(survey, "which")
    form = question_form("which_count", "number", {"id": "Berapa?", "en": "How many?"}, settings={"integer": True})
    assert post(editor_client, f"/surveys/{survey.id}/questions/{which.id}", form).status_code == 303
    q = question(survey, "which_count")
    assert q.id == which.id and q.type == "number" and q.options == [] and q.settings == {"integer": True}


def test_code_change_that_breaks_later_logic_is_refused(editor_client, world):
    survey = simple_survey(world.org)
    uses = question(survey, "uses")
    form = question_form(
        "uses2",
        "yes_no",
        {"id": "Pakai?", "en": "Use?"},
        options=[
            {"code": "yes", "label": {"id": "Ya", "en": "Yes"}, "value": 1},
            {"code": "no", "label": {"id": "Tidak", "en": "No"}, "value": 0},
        ],
    )
    response = post(editor_client, f"/surveys/{survey.id}/questions/{uses.id}", form)
    assert response.status_code == 422
    assert "which does not exist" in response.get_data(as_text=True)
    assert codes(survey) == ["uses", "which", "sat"]


def test_move_questions_and_pages(editor_client, world):
    survey = simple_survey(world.org)
    sat = question(survey, "sat")
    response = post(editor_client, f"/surveys/{survey.id}/questions/{sat.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert codes(survey) == ["uses", "sat", "which"]
    # Moving "which" above "uses" would make its condition point forward: refused.
    which = question(survey, "which")
    post(editor_client, f"/surveys/{survey.id}/questions/{which.id}/move", {"direction": "up"})
    response = post(editor_client, f"/surveys/{survey.id}/questions/{which.id}/move", {"direction": "up"})
    assert response.status_code == 422
    assert "comes later" in response.get_data(as_text=True)
    assert codes(survey) == ["uses", "which", "sat"]
    # A new page; the last question moves down onto it, and pages can swap.
    post(editor_client, f"/surveys/{survey.id}/pages")
    post(editor_client, f"/surveys/{survey.id}/questions/{sat.id}/move", {"direction": "down"})
    db.session.expire_all()
    survey = db.session.get(Survey, survey.id)
    assert [[q.code for q in p.questions] for p in survey.pages] == [["uses", "which"], ["sat"]]
    response = post(editor_client, f"/surveys/{survey.id}/pages/{survey.pages[1].id}/move", {"direction": "up"})
    assert response.status_code == 303
    db.session.expire_all()
    assert codes(survey) == ["sat", "uses", "which"]
    assert (
        post(
            editor_client, f"/surveys/{survey.id}/pages/{survey.pages[0].id}/move", {"direction": "sideways"}
        ).status_code
        == 400
    )


def test_page_with_questions_cannot_be_deleted(editor_client, world):
    survey = simple_survey(world.org)
    post(editor_client, f"/surveys/{survey.id}/pages")
    response = post(editor_client, f"/surveys/{survey.id}/pages/{survey.pages[0].id}/delete")
    assert response.status_code == 422
    assert "Move or delete the questions on this page first." in response.get_data(as_text=True)
    db.session.expire_all()
    empty = db.session.get(Survey, survey.id).pages[1]
    assert post(editor_client, f"/surveys/{survey.id}/pages/{empty.id}/delete").status_code == 303
    db.session.expire_all()
    assert len(db.session.get(Survey, survey.id).pages) == 1


def test_delete_unanswered_question(editor_client, world):
    survey = simple_survey(world.org)
    sat = question(survey, "sat")
    assert "deleted for good" in editor_client.get(f"/surveys/{survey.id}/questions/{sat.id}/delete").get_data(
        as_text=True
    )
    assert post(editor_client, f"/surveys/{survey.id}/questions/{sat.id}/delete").status_code == 303
    assert codes(survey) == ["uses", "which"]


def test_question_used_by_later_logic_cannot_be_deleted(editor_client, world):
    survey = simple_survey(world.org)
    uses = question(survey, "uses")
    response = post(editor_client, f"/surveys/{survey.id}/questions/{uses.id}/delete")
    assert response.status_code == 422
    assert "which does not exist" in response.get_data(as_text=True)
    assert codes(survey) == ["uses", "which", "sat"]


def test_markup_in_every_question_field_is_escaped(editor_client, world):
    survey = simple_survey(world.org)
    x = {"id": XSS, "en": XSS}
    specs = [
        {
            "code": "m",
            "type": "matrix",
            "title": x,
            "help_text": x,
            "options": [{"code": "1", "label": x, "value": 1}, {"code": "2", "label": x, "value": 2}],
            "items": [{"code": "r", "label": x}],
        },
        {
            "code": "o",
            "type": "single_choice",
            "title": x,
            "options": [{"code": "a", "label": x}, {"code": "b", "label": x, "is_other": True}],
        },
        {
            "code": "d",
            "type": "single_choice",
            "title": x,
            "settings": {"display": "dropdown"},
            "options": [{"code": "a", "label": x}, {"code": "b", "label": x}],
        },
        {"code": "r", "type": "rating_0_10", "title": x, "settings": {"low_label": x, "high_label": x}},
        {"code": "n", "type": "number", "title": x, "settings": {"unit": x}},
        {"code": "k", "type": "ranking", "title": x, "options": [{"code": "a", "label": x}, {"code": "b", "label": x}]},
        {"code": "t", "type": "note", "title": x, "help_text": x},
    ]
    for spec in specs:
        assert post(editor_client, new_url(survey), form_from_definition(spec)).status_code == 303
    # A value that is not accepted is shown back escaped too.
    response = post(editor_client, new_url(survey), question_form(XSS, "short_text", x))
    assert response.status_code == 422
    pages = [response.get_data(as_text=True)]
    db.session.expire_all()
    created = [q for q in db.session.get(Survey, survey.id).questions if q.code not in ("uses", "which", "sat")]
    for q in created:
        pages.append(editor_client.get(f"/surveys/{survey.id}/questions/{q.id}").get_data(as_text=True))
        pages.append(editor_client.get(f"/surveys/{survey.id}/questions/{q.id}/delete").get_data(as_text=True))
    # The last question's conditions page lists every earlier question.
    pages.append(editor_client.get(f"/surveys/{survey.id}/questions/{created[-1].id}/logic").get_data(as_text=True))
    for lang in ("id", "en"):
        pages.append(editor_client.get(f"/surveys/{survey.id}/preview?lang={lang}").get_data(as_text=True))
    pages.append(editor_client.get(f"/surveys/{survey.id}").get_data(as_text=True))
    for page in pages:
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
