"""Done when: an organiser builds each template's survey and a from-scratch
survey with every question type and skip logic, previews it in both
languages, exports it and imports it again with nothing lost, all through
the HTTP routes."""

from __future__ import annotations

import io
import json

import pytest
from markupsafe import escape

from surveyapp.surveys import library
from tests.builder.conftest import form_from_definition, post, survey_id_from
from tests.builder.test_questions import EVERY_TYPE


def normalise(node):
    """Drop what means "not set" (null, empty, false defaults), so a library
    file and an export can be compared."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            value = normalise(value)
            if value in (None, {}, []) or (key in ("is_other", "required", "anonymous") and value is False):
                continue
            out[key] = value
        return out
    if isinstance(node, list):
        return [normalise(v) for v in node]
    return node


def export(client, survey_id) -> dict:
    response = client.get(f"/surveys/{survey_id}/definition.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.data)


def reimport(client, document) -> int:
    response = post(
        client,
        "/surveys/import",
        {"definition": (io.BytesIO(json.dumps(document).encode()), "s.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return survey_id_from(response)


def check_preview(client, survey_id, document):
    for lang in document["languages"]:
        page = client.get(f"/surveys/{survey_id}/preview?lang={lang}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert str(escape(document["title"][lang])) in text
        for p in document["pages"]:
            for q in p["questions"]:
                assert f'id="question-{q["code"]}"' in text
                assert str(escape(q["title"].get(lang) or q["title"][document["default_language"]])) in text


@pytest.mark.parametrize("key", [entry.key for entry in library.templates()])
def test_each_template_survives_export_and_import(editor_client, world, key):
    response = post(editor_client, "/surveys/new/template", {"template": f"library:{key}"})
    assert response.status_code == 303
    survey_id = survey_id_from(response)
    first = export(editor_client, survey_id)
    assert normalise(first) == normalise(library.definition(key))
    check_preview(editor_client, survey_id, first)
    again = reimport(editor_client, first)
    assert again != survey_id
    assert export(editor_client, again) == first
    assert post(editor_client, f"/surveys/{survey_id}/publish").status_code == 303


def test_survey_built_from_scratch_with_every_type_and_logic(editor_client, world):
    response = post(
        editor_client,
        "/surveys/new/blank",
        {"title": "Survei lengkap", "kind": "custom", "languages": ["id", "en"], "default_language": "id"},
    )
    survey_id = survey_id_from(response)
    details = {
        "title-id": "Survei lengkap",
        "title-en": "Complete survey",
        "description-id": "Tentang",
        "description-en": "About",
        "welcome_text-id": "Selamat datang",
        "welcome_text-en": "Welcome",
        "thankyou_text-id": "Terima kasih",
        "thankyou_text-en": "Thank you",
        "kind": "needs_assessment",
        "languages": ["id", "en"],
        "default_language": "id",
    }
    assert post(editor_client, f"/surveys/{survey_id}/details", details).status_code == 303
    first_page = export_page_ids(editor_client, survey_id)[0]
    for spec in EVERY_TYPE[:7]:
        assert (
            post(
                editor_client, f"/surveys/{survey_id}/pages/{first_page}/questions/new", form_from_definition(spec)
            ).status_code
            == 303
        )
    assert post(editor_client, f"/surveys/{survey_id}/pages").status_code == 303
    second_page = export_page_ids(editor_client, survey_id)[1]
    assert (
        post(
            editor_client,
            f"/surveys/{survey_id}/pages/{second_page}",
            {"title-id": "Bagian dua", "title-en": "Part two"},
        ).status_code
        == 303
    )
    for spec in EVERY_TYPE[7:]:
        assert (
            post(
                editor_client, f"/surveys/{survey_id}/pages/{second_page}/questions/new", form_from_definition(spec)
            ).status_code
            == 303
        )

    question_ids = question_ids_of(editor_client, survey_id)
    rows = {
        "action": "rows",
        "match": "any",
        "clause-0-question": "yn",
        "clause-0-op": "equals",
        "clause-0-value": "yes",
        "clause-1-question": "grid",
        "clause-1-item": "road",
        "clause-1-op": "gt",
        "clause-1-value": "1",
    }
    assert post(editor_client, f"/surveys/{survey_id}/questions/{question_ids['nps']}/logic", rows).status_code == 303
    page_logic = {
        "all": [{"question": "many", "op": "any_of", "value": ["a", "c"]}, {"question": "nps", "op": "not_answered"}]
    }
    assert (
        post(
            editor_client,
            f"/surveys/{survey_id}/pages/{second_page}/logic",
            {"action": "json", "advanced": json.dumps(page_logic)},
        ).status_code
        == 303
    )

    first = export(editor_client, survey_id)
    expected_pages = [
        {"questions": [{"required": False, **q} for q in EVERY_TYPE[:7]]},
        {
            "title": {"id": "Bagian dua", "en": "Part two"},
            "logic": page_logic,
            "questions": [{"required": False, **q} for q in EVERY_TYPE[7:]],
        },
    ]
    expected_pages[0]["questions"][5]["logic"] = {
        "any": [
            {"question": "yn", "op": "equals", "value": "yes"},
            {"question": "grid", "op": "gt", "item": "road", "value": 1},
        ]
    }
    assert first["pages"] == expected_pages
    assert first["title"] == {"id": "Survei lengkap", "en": "Complete survey"}
    assert first["thankyou_text"] == {"id": "Terima kasih", "en": "Thank you"} and first["kind"] == "needs_assessment"

    check_preview(editor_client, survey_id, first)
    again = reimport(editor_client, first)
    assert export(editor_client, again) == first
    check_preview(editor_client, again, first)
    assert post(editor_client, f"/surveys/{again}/publish").status_code == 303


def export_page_ids(client, survey_id):
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Survey

    db.session.expire_all()
    return [p.id for p in db.session.get(Survey, survey_id).pages]


def question_ids_of(client, survey_id):
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Survey

    db.session.expire_all()
    return {q.code: q.id for q in db.session.get(Survey, survey_id).questions}
