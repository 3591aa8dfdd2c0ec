"""The per-process survey structure cache: every edit is seen by the next
resident, the cached snapshot cannot be changed, and threads share it."""

from __future__ import annotations

import copy

import pytest
from flask import current_app

from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from surveyapp.surveys import services as survey_services
from surveyapp.surveys import structure_cache
from surveyapp.surveys.models import Option, Page, Question, Survey
from surveyapp.surveys.snapshot import FrozenDict, FrozenList
from tests.collect.helpers import Resident, clinic_document, document, make_survey, options, responses, text
from tests.concurrency import run_concurrently


def one_page_document() -> dict:
    return document(
        [
            [
                {
                    "code": "colour",
                    "type": "single_choice",
                    "required": True,
                    "title": text("Colour?"),
                    "options": options("red", "blue"),
                },
                {
                    "code": "note",
                    "type": "short_text",
                    "title": text("Anything else?"),
                    "settings": {"max_length": 100},
                },
            ]
        ]
    )


def cache():
    return structure_cache.cache_for(current_app)


def current(survey) -> object:
    db.session.rollback()
    return structure_cache.by_public_token(survey.public_token)


def fresh(survey_id: int) -> Survey:
    db.session.expire_all()
    return db.session.get(Survey, survey_id)


# ---- edits reach residents ----------------------------------------------------------


def test_an_option_edit_after_the_page_was_served_is_validated_against_the_new_options(client, world):
    survey = make_survey(world.org, one_page_document())
    resident = Resident(client, survey.public_token)
    resident.open()
    assert 'value="red"' in resident.html  # the page (and the cache) know "red"
    question = db.session.execute(db.select(Question).where(Question.code == "colour")).scalar_one()
    survey_services.set_options(
        question, [{"code": "blue", "label": text("Blue")}, {"code": "green", "label": text("Green")}]
    )

    refused = resident.send({"q-colour": "red"}, follow=False)
    assert refused.status_code == 422
    assert "Choose one of the listed answers." in refused.get_data(as_text=True)
    assert 'value="green"' in refused.get_data(as_text=True)  # the page shows the new options
    assert responses(survey.id) == []

    accepted = resident.send({"q-colour": "green"}, follow=False)
    assert accepted.status_code == 303 and "/thanks" in accepted.headers["Location"]
    [response] = responses(survey.id)
    stored = db.session.execute(db.select(Answer.option_id).where(Answer.response_id == response.id)).scalar_one()
    green = db.session.execute(db.select(Option.id).where(Option.code == "green")).scalar_one()
    assert stored == green


def test_closing_the_survey_is_seen_by_the_next_request(client, world):
    survey = make_survey(world.org, one_page_document())
    resident = Resident(client, survey.public_token)
    resident.open()
    survey_services.close(fresh(survey.id))
    assert resident.send({"q-colour": "red"}, follow=False).status_code == 410
    assert responses(survey.id) == []


def test_a_question_added_on_the_page_is_required_from_the_next_submit(client, world):
    survey = make_survey(world.org, one_page_document())
    resident = Resident(client, survey.public_token)
    resident.open()
    page = fresh(survey.id).pages[0]
    survey_services.add_question(page, type_name="number", code="age", title=text("Age"), required=True)
    sent = resident.send({"q-colour": "red"}, follow=False)
    # The new question was not on the page the resident saw: it is shown now.
    assert sent.status_code == 200
    assert 'name="q-age"' in sent.get_data(as_text=True)
    assert responses(survey.id) == []


# Every builder service that changes what residents see moves updated_at and
# so the cache key; each entry edits the clinic survey in its own way.
def _edit_page_title(survey):
    survey_services.update_page(survey.pages[0], title={"en": "Start", "id": "Mulai"}, logic=None)


def _add_page(survey):
    survey_services.add_page(survey, {"en": "More"})


def _delete_page(survey):
    page = survey_services.add_page(survey, {"en": "Empty"})
    db.session.commit()
    before = fresh(survey.id).updated_at
    survey_services.delete_page(db.session.get(Page, page.id))
    return before


def _move_page(survey):
    survey_services.move_page(survey.pages[2], -1)


def _add_question(survey):
    survey_services.add_question(survey.pages[2], type_name="short_text", code="name", title=text("Name"))


def _update_question(survey):
    question = _question(survey, "age")
    survey_services.update_question(
        question,
        code="age",
        type_name="number",
        title=text("Age in years"),
        required=True,
        help_text={},
        metric_role=None,
        settings={"integer": True, "min": 18, "max": 120},
    )


def _save_question(survey):
    question = _question(survey, "services")
    survey_services.save_question(
        question,
        code="services",
        type_name="multiple_choice",
        title=text("Services"),
        required=False,
        help_text={},
        metric_role=None,
        settings={},
        options=[{"code": "kia", "label": text("KIA")}, {"code": "umum", "label": text("Umum")}],
        items=[],
    )


def _set_logic(survey):
    survey_services.set_logic(_question(survey, "comment"), {"question": "score", "op": "gt", "value": 5})


def _set_options(survey):
    survey_services.set_options(
        _question(survey, "services"),
        [
            {"code": "kia", "label": text("Ibu dan anak")},
            {"code": "gigi", "label": text("Gigi")},
            {"code": "umum", "label": text("Umum")},
            {"code": "lab", "label": text("Lab")},
        ],
    )


def _delete_question(survey):
    survey_services.delete_question(_question(survey, "comment"))


def _retire_answered_question(survey):
    from surveyapp.responses import services, tokens

    services.submit_complete(survey, {"uses": "no", "why_not": "Jauh", "age": 30}, tokens.new_submission_id(), "api")
    before = fresh(survey.id).updated_at
    assert survey_services.delete_question(_question(fresh(survey.id), "why_not")) == "retired"
    return before


def _move_question(survey):
    survey_services.move_question(_question(survey, "age"), -1)


def _update_details(survey):
    survey_services.update_details(
        survey,
        kind="custom",
        languages=["id", "en"],
        default_language="en",
        texts={"title": {"id": "Survei", "en": "Survey"}},
        anonymous=False,
    )


def _update_collection(survey):
    survey_services.update_collection(
        survey, opens_at=None, closes_at=None, response_cap=100, min_seconds=20, switches={"one_per_browser": True}
    )


def _close(survey):
    survey_services.close(survey)


def _archive(survey):
    survey_services.set_archived(survey, True)


def _orm_option_label(survey):
    """Any code path that edits through the ORM, not only the services."""
    option = _question(survey, "services").options[0]
    option.label = {"id": "Baru", "en": "New"}
    db.session.commit()


def _question(survey, code):
    return next(q for q in survey.questions if q.code == code)


EDITS = [
    _edit_page_title,
    _add_page,
    _delete_page,
    _move_page,
    _add_question,
    _update_question,
    _save_question,
    _set_logic,
    _set_options,
    _delete_question,
    _retire_answered_question,
    _move_question,
    _update_details,
    _update_collection,
    _close,
    _archive,
    _orm_option_label,
]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_every_edit_moves_the_cache_key_and_the_next_snapshot_shows_it(ctx, world, edit):
    survey = make_survey(world.org, clinic_document())
    survey_id = survey.id
    before_snapshot = current(survey)
    before = fresh(survey_id).updated_at
    loads = cache().loads
    assert current(survey) is before_snapshot and cache().loads == loads  # served from the cache
    before = edit(fresh(survey_id)) or before
    after = fresh(survey_id)
    assert after.updated_at > before
    snapshot = current(after)
    assert snapshot is not before_snapshot and cache().loads == loads + 1
    assert snapshot.updated_at == after.updated_at
    assert [(q.code, q.page_id, q.position, q.retired_at, q.logic, dict(q.settings)) for q in snapshot.questions] == [
        (q.code, q.page_id, q.position, q.retired_at, q.logic, dict(q.settings or {})) for q in after.questions
    ]
    assert [(o.code, dict(o.label), o.retired_at) for q in snapshot.questions for o in q.options] == [
        (o.code, dict(o.label), o.retired_at) for q in after.questions for o in q.options
    ]
    assert [(p.id, p.position, dict(p.title)) for p in snapshot.pages] == [
        (p.id, p.position, dict(p.title or {})) for p in after.pages
    ]
    assert (
        snapshot.status,
        snapshot.archived_at,
        snapshot.response_cap,
        dict(snapshot.settings),
        snapshot.default_language,
    ) == (after.status, after.archived_at, after.response_cap, dict(after.settings or {}), after.default_language)


def test_a_new_public_link_is_a_new_key(ctx, world):
    from surveyapp.surveys.models import new_public_token

    survey = make_survey(world.org, one_page_document())
    old_token = survey.public_token
    assert current(survey) is not None
    survey.public_token = new_public_token()
    db.session.commit()
    assert structure_cache.by_public_token(old_token) is None
    assert current(survey).public_token == survey.public_token


def test_the_cache_is_bounded(ctx, world):
    small = structure_cache.StructureCache(size=2)
    surveys = [make_survey(world.org, one_page_document()) for _ in range(3)]
    for survey in surveys:
        small.put(survey.public_token, current(survey))
    assert small.get(surveys[0].public_token, surveys[0].id, surveys[0].updated_at) is None
    assert small.get(surveys[2].public_token, surveys[2].id, surveys[2].updated_at) is not None


# ---- the snapshot is read-only and shared --------------------------------------------


def test_the_snapshot_cannot_be_changed(ctx, world):
    survey = make_survey(world.org, clinic_document())
    snapshot = current(survey)
    question = snapshot.questions[0]
    with pytest.raises(AttributeError):
        question.required = False
    with pytest.raises(AttributeError):
        snapshot.status = "closed"
    with pytest.raises(AttributeError):
        question.options[0].code = "maybe"
    with pytest.raises(TypeError):
        snapshot.settings["one_per_browser"] = True
    with pytest.raises(TypeError):
        question.title["en"] = "Changed"
    with pytest.raises(TypeError):
        snapshot.languages.append("jv")
    with pytest.raises(AttributeError):
        question.options.append(question.options[0])  # a tuple
    logic = next(q.logic for q in snapshot.questions if q.logic)
    with pytest.raises(TypeError):
        logic["op"] = "not_equals"
    assert isinstance(logic, FrozenDict) and isinstance(snapshot.languages, FrozenList)
    # A private copy is an ordinary, writable dict.
    private = copy.deepcopy(logic)
    private["op"] = "not_equals"
    assert type(private) is dict and logic["op"] == "equals"
    # The snapshot answers what the templates and question types ask.
    assert question.survey is snapshot and question.page.survey is snapshot
    assert question.options[0].question is question
    assert question.text("title", "en") == "Do you use the clinic?"
    assert snapshot.text("title", "jv") == "Survei puskesmas"  # falls back to the default language


def test_threads_share_one_snapshot(app, world):
    survey = make_survey(world.org, clinic_document())
    token = survey.public_token
    loads = run_concurrently(app, lambda: [structure_cache.by_public_token(token) for _ in range(20)], 6)
    seen = [snapshot for load in loads for snapshot in load]
    assert len(seen) == 120
    # Threads that raced on the first load may each have built one; after
    # that, every thread is handed the same read-only object.
    assert seen[-1] is structure_cache.cache_for(app).get(token, seen[-1].id, seen[-1].updated_at)
    assert len({id(s) for s in seen}) <= 6
