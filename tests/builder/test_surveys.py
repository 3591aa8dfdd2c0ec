"""Survey-level pages: list, new (blank, template, own template, import),
details and languages, duplicate, archive, delete, publish and close."""

from __future__ import annotations

import io
import json

import pytest

from surveyapp.extensions import db
from surveyapp.surveys import definition, library, services
from surveyapp.surveys.models import Survey
from tests import factories
from tests.builder.conftest import XSS, post, simple_survey, survey_id_from


def surveys():
    db.session.expire_all()
    return db.session.execute(db.select(Survey).order_by(Survey.id)).scalars().all()


def test_new_page_offers_blank_library_own_templates_and_import(editor_client, world):
    template = services.duplicate(simple_survey(world.org), None, as_template=True)
    page = editor_client.get("/surveys/new").get_data(as_text=True)
    for entry in library.templates():
        assert entry.name["en"] in page or entry.name["id"] in page
        assert f'value="library:{entry.key}"' in page
    assert f'value="own:{template.id}"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="definition"' in page


def test_template_names_follow_the_interface_language(editor_client, world):
    entry = library.templates()[0]
    editor_client.get("/lang/id")
    assert entry.name["id"] in editor_client.get("/surveys/new").get_data(as_text=True)
    editor_client.get("/lang/en")
    assert entry.name["en"] in editor_client.get("/surveys/new").get_data(as_text=True)


def test_create_blank_survey(editor_client, world):
    response = post(
        editor_client,
        "/surveys/new/blank",
        {
            "title": "Survei air bersih",
            "kind": "needs_assessment",
            "languages": ["id", "en"],
            "new_languages": "jv",
            "default_language": "id",
        },
    )
    assert response.status_code == 303
    survey = db.session.get(Survey, survey_id_from(response))
    assert survey.title == {"id": "Survei air bersih"}
    assert survey.languages == ["id", "en", "jv"]
    assert survey.kind == "needs_assessment" and survey.status == "draft"
    assert survey.organisation_id == world.org.id and survey.created_by_id == world.editor.id
    assert len(survey.pages) == 1


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"title": "  "}, "title", "Enter a title for the survey."),
        ({"title": "x" * 301}, "title", "Keep the title under 300 characters."),
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"new_languages": "Jawa!"}, "new_languages", "is not a language code"),
        ({"default_language": "fr"}, "default_language", "The default language must be one of the survey's languages."),
        ({"kind": "election"}, "kind", "Choose one of the listed kinds."),
    ],
)
def test_blank_survey_bad_input(editor_client, world, data, field, message):
    form = {"title": "Judul", "kind": "custom", "languages": ["id", "en"], "default_language": "id", **data}
    response = post(editor_client, "/surveys/new/blank", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.replace("&#34;", '"').replace("&#39;", "'")
    assert f'id="f-{field}-error"' in page
    assert surveys() == []


@pytest.mark.parametrize("key", [entry.key for entry in library.templates()])
def test_create_from_each_library_template(editor_client, world, key):
    response = post(editor_client, "/surveys/new/template", {"template": f"library:{key}"})
    assert response.status_code == 303
    survey = db.session.get(Survey, survey_id_from(response))
    codes = [q["code"] for p in library.definition(key)["pages"] for q in p["questions"]]
    assert [q.code for q in survey.questions] == codes
    assert services.missing_translations(survey) == []


def test_unknown_template_is_404_and_bad_choice_is_400(editor_client, world):
    assert post(editor_client, "/surveys/new/template", {"template": "library:nope"}).status_code == 404
    assert post(editor_client, "/surveys/new/template", {"template": "elsewhere:1"}).status_code == 400
    survey = simple_survey(world.org)  # not a template
    assert post(editor_client, "/surveys/new/template", {"template": f"own:{survey.id}"}).status_code == 404
    assert len(surveys()) == 1


def test_save_as_template_then_start_from_it(editor_client, world):
    survey = simple_survey(world.org)
    response = post(editor_client, f"/surveys/{survey.id}/save-as-template")
    assert response.status_code == 303
    template = db.session.get(Survey, survey_id_from(response))
    assert template.is_template and template.id != survey.id
    response = post(editor_client, "/surveys/new/template", {"template": f"own:{template.id}"})
    created = db.session.get(Survey, survey_id_from(response))
    assert not created.is_template and created.status == "draft"
    assert definition.export_definition(created) == definition.export_definition(template)
    listing = editor_client.get("/surveys/").get_data(as_text=True)
    assert "Your organisation&#39;s templates" in listing or "Your organisation's templates" in listing


def upload(client, content: bytes, name="survey.json"):
    return post(
        client, "/surveys/import", {"definition": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def test_import_valid_definition(editor_client, world):
    document = library.definition("quick_poll")
    response = upload(editor_client, json.dumps(document).encode())
    assert response.status_code == 303
    survey = db.session.get(Survey, survey_id_from(response))
    assert survey.organisation_id == world.org.id


@pytest.mark.parametrize(
    "content,message",
    [
        (b"{not json", "This is not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b"[]", "A survey definition is a JSON object."),
        (
            b'{"format": "suara-survey", "version": 1, "kind": "custom", "languages": ["id"], "default_language": "id",'
            b' "title": {"id": "T"}, "pages": [{"questions": [{"code": "a", "type": "single_choice", "title": {"id": "Q"},'
            b' "options": [{"code": "x", "label": {"id": "X"}}, {"code": "x", "label": {"id": "Y"}}]}]}]}',
            "pages[0].questions[0].options[1].code",
        ),
        (b'{"format": "suara-survey", "version": 9}', "version"),
        (
            json.dumps({"format": "suara-survey", "version": 1, "pad": "x" * (1024 * 1024)}).encode(),
            "the limit is 1 MiB",
        ),
    ],
)
def test_import_refuses_bad_files_and_creates_nothing(editor_client, world, content, message):
    response = upload(editor_client, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#34;", '"')
    assert surveys() == []


def test_import_without_file(editor_client, world):
    response = post(editor_client, "/surveys/import", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a survey definition file" in response.get_data(as_text=True)


def test_import_larger_than_request_limit_is_413(editor_client, world, app):
    big = b" " * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = upload(editor_client, big)
    assert response.status_code == 413
    assert surveys() == []


def test_edit_details_texts_and_languages(editor_client, world):
    survey = simple_survey(world.org)
    data = {
        "title-id": "Judul baru",
        "title-en": "New title",
        "description-id": "Deskripsi",
        "welcome_text-en": "Welcome",
        "thankyou_text-id": "Terima kasih",
        "kind": "trust",
        "languages": ["id", "en"],
        "new_languages": "su",
        "default_language": "id",
    }
    response = post(editor_client, f"/surveys/{survey.id}/details", data)
    assert response.status_code == 303
    db.session.expire_all()
    assert survey.title == {"id": "Judul baru", "en": "New title"}
    assert survey.welcome_text == {"en": "Welcome"} and survey.kind == "trust"
    assert survey.languages == ["id", "en", "su"]
    page = editor_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Survey title: <strong>su</strong>" in page or "Basa Sunda" in page
    missing = services.missing_translations(survey)
    assert "Survey title" in [w for w, lang in missing if lang == "su"]
    # The new language now has its own inputs.
    assert 'name="title-su"' in editor_client.get(f"/surveys/{survey.id}/details").get_data(as_text=True)


def test_removing_a_language_removes_its_texts(editor_client, world):
    survey = simple_survey(world.org)
    response = post(
        editor_client,
        f"/surveys/{survey.id}/details",
        {"title-id": "Judul", "kind": "custom", "languages": ["id"], "default_language": "id"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert survey.languages == ["id"]
    assert all(set(q.title) == {"id"} for q in survey.questions)
    assert all(set(o.label) <= {"id"} for q in survey.questions for o in q.options)
    assert definition.validate(definition.export_definition(survey)) == []


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title-id": ""}, "title-id"),
        ({"title-en": "x" * 301}, "title-en"),
        ({"description-id": "x" * 2001}, "description-id"),
        ({"default_language": "jv", "new_languages": "jv"}, "default_language"),
        ({"languages": []}, "languages"),
    ],
)
def test_details_bad_input_saves_nothing(editor_client, world, data, field):
    survey = simple_survey(world.org)
    before = definition.export_definition(survey)
    form = {
        "title-id": "Judul",
        "title-en": "Title",
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        **data,
    }
    response = post(editor_client, f"/surveys/{survey.id}/details", form)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert definition.export_definition(survey) == before


def test_anonymity_is_fixed_once_answered(editor_client, world):
    survey = simple_survey(world.org)
    factories.respond(survey, {"uses": "no"})
    form = {
        "title-id": "Judul",
        "title-en": "Title",
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "anonymous": "1",
    }
    response = post(editor_client, f"/surveys/{survey.id}/details", form)
    assert response.status_code == 422
    assert "anonymity promise" in response.get_data(as_text=True)
    db.session.expire_all()
    assert survey.anonymous is False and survey.title["id"] == "Survei uji"


def test_duplicate_archive_and_restore(editor_client, world):
    survey = simple_survey(world.org)
    response = post(editor_client, f"/surveys/{survey.id}/duplicate")
    copy = db.session.get(Survey, survey_id_from(response))
    assert copy.id != survey.id and copy.title["id"].startswith("Survei uji")
    assert [q.code for q in copy.questions] == [q.code for q in survey.questions]
    assert post(editor_client, f"/surveys/{survey.id}/archive", {"archived": "1"}).status_code == 303
    db.session.expire_all()
    assert survey.archived_at is not None
    listing = editor_client.get("/surveys/").get_data(as_text=True)
    assert "Archive" in listing
    post(editor_client, f"/surveys/{survey.id}/archive", {"archived": "0"})
    db.session.expire_all()
    assert survey.archived_at is None


def test_delete_asks_for_confirmation(editor_client, world):
    survey = simple_survey(world.org)
    page = editor_client.get(f"/surveys/{survey.id}/delete").get_data(as_text=True)
    assert "Delete survey" in page
    assert post(editor_client, f"/surveys/{survey.id}/delete").status_code == 303
    assert surveys() == []


def test_delete_with_responses_needs_the_box_ticked(editor_client, world):
    survey = simple_survey(world.org)
    factories.respond(survey, {"uses": "yes"})
    response = post(editor_client, f"/surveys/{survey.id}/delete")
    assert response.status_code == 422
    assert "Tick the box" in response.get_data(as_text=True)
    assert len(surveys()) == 1
    assert post(editor_client, f"/surveys/{survey.id}/delete", {"confirm_responses": "1"}).status_code == 303
    assert surveys() == []


def test_publish_refused_with_reasons_then_accepted(editor_client, world):
    response = post(
        editor_client,
        "/surveys/new/blank",
        {"title": "Kosong", "kind": "custom", "languages": ["id", "en"], "default_language": "id"},
    )
    survey = db.session.get(Survey, survey_id_from(response))
    response = post(editor_client, f"/surveys/{survey.id}/publish")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Add at least one question before publishing." in page
    assert "missing a translation" in page
    db.session.expire_all()
    assert survey.status == "draft"

    ready = simple_survey(world.org)
    assert post(editor_client, f"/surveys/{ready.id}/publish").status_code == 303
    db.session.expire_all()
    assert ready.status == "open"
    assert post(editor_client, f"/surveys/{ready.id}/close").status_code == 303
    db.session.expire_all()
    assert ready.status == "closed"
    assert post(editor_client, f"/surveys/{ready.id}/close").status_code == 422


def test_templates_are_not_published(editor_client, world):
    template = services.duplicate(simple_survey(world.org), None, as_template=True)
    assert post(editor_client, f"/surveys/{template.id}/publish").status_code == 422
    db.session.expire_all()
    assert template.status == "draft"


def test_definition_download_is_an_attachment(editor_client, world):
    survey = simple_survey(world.org)
    response = editor_client.get(f"/surveys/{survey.id}/definition.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data) == definition.export_definition(survey)


def test_markup_in_survey_texts_is_escaped_everywhere(editor_client, world):
    survey = simple_survey(world.org)
    data = {f"{field}-{lang}": XSS for field in definition.TEXT_FIELDS for lang in ("id", "en")}
    data.update(kind="custom", languages=["id", "en"], default_language="id")
    assert post(editor_client, f"/surveys/{survey.id}/details", data).status_code == 303
    post(editor_client, f"/surveys/{survey.id}/pages/{survey.pages[0].id}", {"title-id": XSS, "title-en": XSS})
    for url in [
        "/surveys/",
        f"/surveys/{survey.id}",
        f"/surveys/{survey.id}/preview?lang=id",
        f"/surveys/{survey.id}/preview?lang=en",
        f"/surveys/{survey.id}/details",
        f"/surveys/{survey.id}/delete",
        "/dashboard",
        f"/surveys/{survey.id}/pages/{survey.pages[0].id}",
    ]:
        page = editor_client.get(url).get_data(as_text=True)
        assert "<img src=x" not in page, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, url


def test_markup_in_query_string_is_not_reflected(editor_client, world):
    survey = simple_survey(world.org)
    page = editor_client.get(f"/surveys/{survey.id}/preview?lang=%22%3E%3Cimg%20src%3Dx%3E").get_data(as_text=True)
    assert "<img src=x>" not in page
    response = editor_client.get(f"/surveys/{survey.id}/pages/{survey.pages[0].id}/questions/new?type=%3Cimg%3E")
    assert response.status_code == 400
    assert "<img>" not in response.get_data(as_text=True)
