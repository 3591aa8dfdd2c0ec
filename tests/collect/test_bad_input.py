"""Bad input on respondent pages: a clear 4xx, nothing stored wrongly, no 500,
and survey texts and answers always escaped."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from tests.collect.helpers import (
    XSS,
    Resident,
    answer_count,
    document,
    hidden_fields,
    make_survey,
    options,
    responses,
    scored,
    text,
)

EVERY_TYPE = document(
    [
        [
            {
                "code": "one",
                "type": "single_choice",
                "required": True,
                "title": text("One"),
                "options": options("a", "b") + [{"code": "other", "label": text("Other"), "is_other": True}],
            },
            {
                "code": "many",
                "type": "multiple_choice",
                "title": text("Many"),
                "options": options("a", "b", "c"),
                "settings": {"max_selected": 2},
            },
            {
                "code": "scale",
                "type": "likert",
                "title": text("Scale"),
                "settings": {"points": 5},
                "options": [{"code": str(i), "label": text(f"L{i}"), "value": i} for i in range(1, 6)],
            },
            {
                "code": "grid",
                "type": "matrix",
                "title": text("Grid"),
                "options": scored("good", "bad"),
                "items": options("water", "road"),
            },
            {"code": "stars", "type": "stars", "title": text("Stars")},
            {"code": "rank", "type": "ranking", "title": text("Rank"), "options": options("x", "y", "z")},
            {"code": "num", "type": "number", "title": text("Number"), "settings": {"min": 0, "max": 10}},
            {
                "code": "day",
                "type": "date",
                "title": text("Day"),
                "settings": {"min": "2020-01-01", "max": "2030-12-31"},
            },
            {"code": "mail", "type": "short_text", "title": text("Mail"), "settings": {"pattern": "email"}},
            {"code": "long", "type": "long_text", "title": text("Long"), "settings": {"max_length": 50}},
        ],
    ]
)

BAD = {
    "one": {"q-one": "c"},
    "one_other_empty": {"q-one": "other"},
    "many": {"q-one": "a", "q-many": ["a", "zzz"]},
    "many_too_many": {"q-one": "a", "q-many": ["a", "b", "c"]},
    "many_repeat": {"q-one": "a", "q-many": ["a", "a"]},
    "scale": {"q-one": "a", "q-scale": "9"},
    "grid": {"q-one": "a", "q-grid-water": "excellent"},
    "stars": {"q-one": "a", "q-stars": "6"},
    "stars_text": {"q-one": "a", "q-stars": "lima"},
    "rank": {"q-one": "a", "q-rank-x": "1", "q-rank-y": "1"},
    "rank_gap": {"q-one": "a", "q-rank-x": "1", "q-rank-y": "3"},
    "num": {"q-one": "a", "q-num": "11"},
    "num_nan": {"q-one": "a", "q-num": "nan"},
    "day": {"q-one": "a", "q-day": "2019-12-31"},
    "day_bad": {"q-one": "a", "q-day": "31/12/2024"},
    "mail": {"q-one": "a", "q-mail": "not-an-email"},
    "long": {"q-one": "a", "q-long": "x" * 51},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_answers_get_a_message_and_nothing_is_stored(client, world, case):
    survey = make_survey(world.org, EVERY_TYPE)
    resident = Resident(client, survey.public_token)
    resident.open(f"/s/{survey.public_token}?lang=en")
    result = resident.send(BAD[case])
    assert result.status_code == 422, case
    assert 'class="error-summary"' in resident.html and 'class="error-message"' in resident.html
    assert responses() == []


def test_good_answers_of_every_type_are_stored(client, world):
    survey = make_survey(world.org, EVERY_TYPE)
    resident = Resident(client, survey.public_token)
    resident.open()
    result = resident.send(
        {
            "q-one": "other",
            "q-one-other": "Sendiri",
            "q-many": ["a", "c"],
            "q-scale": "4",
            "q-grid-water": "good",
            "q-grid-road": "bad",
            "q-stars": "5",
            "q-rank-x": "2",
            "q-rank-y": "1",
            "q-num": "2,5",
            "q-day": "2024-08-17",
            "q-mail": "a@b.id",
            "q-long": "Baik",
        }
    )
    assert result.status_code == 303
    [response] = responses(survey.id)
    assert response.status == "complete" and answer_count(response.id) == 13


def test_answers_to_hidden_questions_are_ignored(client, world):
    survey = make_survey(world.org)  # why_not shows only for uses = no; page 2 only for yes
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes", "q-why_not": "sneaky"}, shown="uses why_not")
    resident.send({"q-score": "9"})
    resident.send({"q-age": "20"})
    [response] = responses(survey.id)
    codes = {q.id: q.code for q in survey.questions}
    assert sorted(codes[a.question_id] for a in response.answers) == ["age", "score", "uses"]
    assert all(a.value_text != "sneaky" for a in response.answers)


def test_hidden_required_questions_are_not_required(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "no", "q-why_not": ""}, shown="uses why_not")
    result = resident.send({"q-age": "30"})  # the required clinic score never came
    assert result.status_code == 303 and responses(survey.id)[0].status == "complete"


@pytest.mark.parametrize(
    "field,value",
    [
        ("page", "abc"),
        ("page", "99"),
        ("page", "-3"),
        ("lang", XSS),
        ("channel", "admin"),
        ("shown", XSS),
        ("action", XSS),
    ],
)
def test_tampered_hidden_fields_never_break(client, world, field, value):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    result = resident.send({"q-uses": "yes", field: value}, follow=False)
    assert result.status_code < 500
    assert XSS not in result.get_data(as_text=True)
    for response in responses(survey.id):
        assert response.channel in ("link", "qr", "embed") and response.language in ("id", "en")


def test_a_post_without_any_fields(client, world):
    survey = make_survey(world.org)
    result = client.post(f"/s/{survey.public_token}", data={})
    assert result.status_code == 400 and responses() == []
    assert client.post(f"/s/{survey.public_token}", data={"q-uses": ["yes", "no"]}).status_code == 400


def test_xss_in_survey_texts_and_answers_is_escaped_everywhere(client, world):
    doc = document(
        [
            [
                {"code": "name", "type": "short_text", "required": True, "title": text(XSS), "help_text": text(XSS)},
                {
                    "code": "pick",
                    "type": "single_choice",
                    "title": text(XSS),
                    "options": [{"code": "a", "label": text(XSS)}, {"code": "o", "label": text(XSS), "is_other": True}],
                },
            ],
            {
                "title": text(XSS),
                "questions": [{"code": "more", "type": "long_text", "required": True, "title": text(XSS)}],
            },
        ],
        title=text(XSS),
        description=text(XSS),
        welcome_text=text(XSS),
        thankyou_text=text(XSS),
    )
    survey = make_survey(world.org, doc)
    world.org.name = XSS
    db.session.commit()
    pages = []
    resident = Resident(client, survey.public_token)
    resident.open(f"/s/{survey.public_token}?lang=en&src={XSS}")
    pages.append(resident.page)
    resident.send({"q-name": "", "q-pick": "o", "q-pick-other": XSS})  # errors: re-shown with answers
    pages.append(resident.page)
    resident.send({"q-name": XSS, "q-pick": "o", "q-pick-other": XSS})
    pages.append(resident.page)
    resident.send({"q-more": ""})
    pages.append(resident.page)
    resident.send({"q-more": XSS})
    pages.append(resident.page)  # thanks
    fields = hidden_fields(pages[2].get_data(as_text=True))
    pages.append(client.post(f"/s/{survey.public_token}", data={**fields, "form_token": XSS, "q-more": XSS}))
    pages.append(client.get(f"/s/{survey.public_token}/thanks?lang={XSS}&r={XSS}"))
    pages.append(client.get(f"/s/{survey.public_token}/r/{XSS}"))
    survey.status = "closed"
    db.session.commit()
    pages.append(client.get(f"/s/{survey.public_token}"))
    survey.status, survey.opens_at = "open", survey.created_at.replace(year=2099)
    db.session.commit()
    pages.append(client.get(f"/s/{survey.public_token}"))
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code < 500
        assert "<img src=x" not in html, html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[1].get_data(
        as_text=True
    ) or "&quot;&gt;&lt;img" in pages[1].get_data(as_text=True)
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert sum(1 for a in response.answers if a.value_text == XSS) == 3
