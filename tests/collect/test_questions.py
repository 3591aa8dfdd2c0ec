"""Question types on respondent pages: odd characters, and every error
summary link pointing at a real input."""

from __future__ import annotations

import re

import pytest

from surveyapp.questions.base import clean_text
from tests.collect.helpers import Resident, make_survey, responses
from tests.collect.test_bad_input import BAD, EVERY_TYPE


def test_control_characters_are_removed_from_text_answers(client, world):
    survey = make_survey(world.org, EVERY_TYPE)
    resident = Resident(client, survey.public_token)
    resident.open()
    result = resident.send({"q-one": "other", "q-one-other": "Sen\x00diri", "q-long": "a\x00b\r\nc\x07d"})
    assert result.status_code == 303
    [response] = responses(survey.id)
    texts = {a.value_text for a in response.answers if a.value_text}
    assert texts == {"ab\ncd", "Sendiri"}


def test_clean_text_keeps_line_breaks_and_tabs():
    assert clean_text(" a\tb\nc\x00\x1b ") == "a\tb\nc"
    assert clean_text(None) == ""


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_error_summary_link_points_at_an_input(client, world, case):
    survey = make_survey(world.org, EVERY_TYPE)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send(BAD[case])
    html = resident.html
    targets = re.findall(r'<li><a href="#([^"]+)">', html)
    assert targets
    for target in targets:
        assert re.search(rf'<(input|select|textarea)[^>]* id="{re.escape(target)}"', html), target


@pytest.mark.parametrize(
    "raws",
    [
        {"one": "a", "grid": {"water": "good", "sewer": "bad"}},
        {"one": "a", "grid": "good"},
        {"one": "a", "rank": {"x": 1, "nope": 2}},
        {"one": "a", "rank": ["x", "y"]},
        {"one": {"choice": ["a"]}},
        {"one": "a", "many": {"choices": "a,b"}},
        {"one": "a", "num": [1, 2]},
        {"one": "a", "day": "2024-13-45"},
    ],
)
def test_badly_shaped_api_answers_are_validation_errors(world, raws):
    from surveyapp.responses import services, tokens

    survey = make_survey(world.org, EVERY_TYPE)
    with pytest.raises(services.ValidationFailed) as failed:
        services.submit_complete(survey, raws, tokens.new_submission_id(), "api", "id")
    assert failed.value.errors
    assert responses() == []


def test_api_answers_in_simple_shapes_are_stored(world):
    from surveyapp.responses import services, tokens

    survey = make_survey(world.org, EVERY_TYPE)
    response = services.submit_complete(
        survey,
        {
            "one": "b",
            "many": ["a", "c"],
            "scale": 5,
            "grid": {"water": "good"},
            "stars": 4,
            "rank": {"x": 1, "y": 2, "z": 3},
            "num": 2.5,
            "day": "2024-08-17",
            "mail": "a@b.id",
            "long": "ok",
        },
        tokens.new_submission_id(),
        "api",
        "en",
    )
    assert response.status == "complete" and len(response.answers) == 13
