"""Builder test helpers: log in, post builder forms, make surveys (answers: tests.factories.respond)."""

from __future__ import annotations

import pytest

from surveyapp.surveys import definition, library, services
from surveyapp.surveys.models import Survey
from tests.conftest import get_csrf, login

XSS = '"><img src=x onerror=alert(1)>'


def post(client, url, data=None, token_from="/surveys/", **kwargs):
    """POST with a CSRF token read from a builder page."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", get_csrf(client, token_from))
    return client.post(url, data=payload, **kwargs)


def survey_from_library(org, key="satisfaction") -> Survey:
    return services.create_from_template(org.id, None, key)


def simple_survey(org, **overrides) -> Survey:
    """A small valid two-language survey: a yes/no, then a single choice shown
    only after "yes", then a Likert item."""
    document = {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": {"id": "Survei uji", "en": "Test survey"},
        "pages": [
            {
                "questions": [
                    {"code": "uses", "type": "yes_no", "required": True, "title": {"id": "Pakai?", "en": "Use?"}},
                    {
                        "code": "which",
                        "type": "single_choice",
                        "title": {"id": "Yang mana?", "en": "Which?"},
                        "logic": {"question": "uses", "op": "equals", "value": "yes"},
                        "options": [
                            {"code": "a", "label": {"id": "A", "en": "A"}, "value": 1},
                            {"code": "b", "label": {"id": "B", "en": "B"}, "value": 2},
                        ],
                    },
                    {
                        "code": "sat",
                        "type": "likert",
                        "title": {"id": "Puas?", "en": "Satisfied?"},
                        "settings": {"points": 5},
                        "options": [
                            {"code": str(n), "label": {"id": f"L{n}", "en": f"P{n}"}, "value": n} for n in range(1, 6)
                        ],
                    },
                ]
            }
        ],
    }
    document.update(overrides)
    return services.create_from_definition(org.id, None, document)


@pytest.fixture
def editor_client(client, world):
    login(client, "editor@mawar.test")
    client.get("/lang/en")  # messages are asserted in English
    return client


__all__ = ["XSS", "post", "survey_from_library", "simple_survey", "definition", "library"]


def question_form(
    code,
    type_name,
    title,
    *,
    options=None,
    items=None,
    settings=None,
    required=False,
    help_text=None,
    role_kind="",
    role_name="",
    action="save",
) -> dict:
    """Form data for the question editor, as a browser sends it."""
    data = {"code": code, "type": type_name, "action": action, "role_kind": role_kind, "role_name": role_name}
    for lang, text in title.items():
        data[f"title-{lang}"] = text
    for lang, text in (help_text or {}).items():
        data[f"help_text-{lang}"] = text
    if required:
        data["required"] = "1"
    for prefix, rows in (("option", options or []), ("item", items or [])):
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-code"] = row.get("code", "")
            for lang, text in row.get("label", {}).items():
                data[f"{prefix}-{index}-label-{lang}"] = text
            if row.get("value") is not None:
                data[f"{prefix}-{index}-value"] = str(row["value"])
            if row.get("is_other"):
                data[f"{prefix}-{index}-other"] = "1"
            if row.get("remove"):
                data[f"{prefix}-{index}-remove"] = "1"
    for key, value in (settings or {}).items():
        if isinstance(value, dict):
            for lang, text in value.items():
                data[f"s-{key}-{lang}"] = text
        elif value is True:
            data[f"s-{key}"] = "1"
        elif value is not None and value is not False:
            data[f"s-{key}"] = str(value)
    return data


def form_from_definition(question: dict, languages=("id", "en")) -> dict:
    """The editor's form data for a question of a JSON definition."""
    role = question.get("metric_role") or ""
    kind, _sep, name = role.partition(":")
    return question_form(
        question["code"],
        question["type"],
        question["title"],
        options=question.get("options"),
        items=question.get("items"),
        settings=question.get("settings"),
        required=question.get("required", False),
        help_text=question.get("help_text"),
        role_kind=kind,
        role_name=name,
    )


def survey_id_from(response) -> int:
    location = response.headers["Location"]
    return int(location.split("/surveys/")[1].split("#")[0].split("/")[0].split("?")[0])
