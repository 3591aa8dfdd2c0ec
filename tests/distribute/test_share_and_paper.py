"""Share tools (link, QR, poster, embed, WhatsApp) and the paper channel."""

from __future__ import annotations

import uuid

import pytest

from surveyapp.distribute import kiosk, qr
from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from surveyapp.surveys import services
from tests.collect.helpers import document
from tests.distribute.helpers import XSS, get_csrf, login, make_survey, responses, text


def test_share_page_shows_every_tool(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    html = client.get(f"/surveys/{survey.id}/share").get_data(as_text=True)
    link = f"http://localhost/s/{survey.public_token}"
    assert f'value="{link}"' in html
    assert f"/s/{survey.public_token}/embed" in html and "&lt;iframe" in html
    assert "/share/poster.pdf" in html and "/share/qr.svg" in html
    assert f"/k/{kiosk.token_for(survey)}" in html
    assert f"/surveys/{survey.id}/paper.pdf?lang=en" in html and f"/surveys/{survey.id}/paper.pdf?lang=id" in html
    # The WhatsApp text is in the survey's default language (Indonesian title) and carries the link.
    assert "*Survei puskesmas*" in html and link in html


def test_viewers_see_but_get_no_kiosk_or_entry(client, world):
    survey = make_survey(world.org)
    login(client, "viewer@mawar.test")
    html = client.get(f"/surveys/{survey.id}/share").get_data(as_text=True)
    assert f"/s/{survey.public_token}" in html
    assert kiosk.key_for(survey) not in html and "/paper/entry" not in html


def test_qr_codes_encode_the_link_with_src_qr(client, world):
    survey = make_survey(world.org)
    login(client, "viewer@mawar.test")
    png = client.get(f"/surveys/{survey.id}/share/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert png.data == qr.png(f"http://localhost/s/{survey.public_token}?src=qr")
    svg = client.get(f"/surveys/{survey.id}/share/qr.svg?download=1")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert svg.headers["Content-Disposition"].startswith("attachment")
    assert svg.data == qr.svg(f"http://localhost/s/{survey.public_token}?src=qr")


def test_poster_is_an_a4_pdf(client, world):
    survey = make_survey(world.org, title={"id": XSS, "en": "x"})
    login(client, "viewer@mawar.test")
    poster = client.get(f"/surveys/{survey.id}/share/poster.pdf")
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"
    assert poster.data.startswith(b"%PDF-") and b"/MediaBox [0 0 595.28 841.89]" in poster.data


ALL_TYPES = document(
    [
        [
            {
                "code": "one",
                "type": "single_choice",
                "required": True,
                "title": text("One"),
                "options": [
                    {"code": "a", "label": text("A")},
                    {"code": "b", "label": text("B")},
                    {"code": "other", "label": text("Other"), "is_other": True},
                ],
            },
            {
                "code": "many",
                "type": "multiple_choice",
                "title": text("Many"),
                "options": [{"code": "x", "label": text("X")}, {"code": "y", "label": text("Y")}],
                "settings": {"max_selected": 2},
            },
            {"code": "yn", "type": "yes_no", "title": text("Yes or no")},
            {
                "code": "lik",
                "type": "likert",
                "title": text("Likert"),
                "settings": {"points": 5},
                "options": [{"code": str(i), "label": text(f"L{i}"), "value": i} for i in range(1, 6)],
            },
            {
                "code": "mat",
                "type": "matrix",
                "title": text("Matrix"),
                "options": [{"code": str(i), "label": text(f"M{i}"), "value": i} for i in range(1, 4)],
                "items": [{"code": "r1", "label": text("Row one")}, {"code": "r2", "label": text("Row two")}],
            },
            {"code": "nps", "type": "rating_0_10", "required": True, "title": text("Recommend")},
            {"code": "star", "type": "stars", "title": text("Stars")},
            {
                "code": "rank",
                "type": "ranking",
                "title": text("Rank"),
                "options": [
                    {"code": "p", "label": text("P")},
                    {"code": "q", "label": text("Q")},
                    {"code": "r", "label": text("R")},
                ],
            },
            {"code": "num", "type": "number", "title": text("Number"), "settings": {"min": 0, "max": 20}},
            {"code": "day", "type": "date", "title": text("Date")},
            {"code": "short", "type": "short_text", "title": text("Short")},
            {"code": "long", "type": "long_text", "title": text("Long")},
            {"code": "note", "type": "note", "title": text("A note")},
        ],
        {
            "logic": {"question": "yn", "op": "equals", "value": "yes"},
            "questions": [{"code": "why", "type": "short_text", "title": text("Why yes?")}],
        },
    ]
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_paper_questionnaire_of_every_type(client, world, lang):
    survey = make_survey(world.org, ALL_TYPES)
    login(client, "viewer@mawar.test")
    paper = client.get(f"/surveys/{survey.id}/paper.pdf?lang={lang}")
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF-")
    assert (
        "questionnaire-" in paper.headers["Content-Disposition"]
        and f"-{lang}.pdf" in paper.headers["Content-Disposition"]
    )
    assert client.get(f"/surveys/{survey.id}/paper.pdf?lang=fr").status_code == 404


def test_every_template_prints(client, world, ctx):
    from surveyapp.surveys import library

    login(client, "viewer@mawar.test")
    for entry in library.templates():
        survey = services.create_from_template(world.org.id, None, entry.key)
        for lang in survey.languages:
            assert client.get(f"/surveys/{survey.id}/paper.pdf?lang={lang}").data.startswith(b"%PDF-")


def test_condition_text_names_the_question_number(ctx, world):
    from surveyapp.distribute import pdf

    survey = make_survey(world.org, ALL_TYPES)
    numbered = pdf.numbered_questions(survey)
    numbers = {q.code: n for n, q in numbered}
    assert numbers["yn"] == 3 and "note" not in numbers and numbers["why"] == 13
    by_code = {q.code: q for _n, q in numbered}
    with __import__("flask_babel").force_locale("en"):
        sentence = pdf.condition_text(survey.pages[1].logic, numbers, by_code, "en")
    assert sentence == "Answer only if you answered “Yes” to question 3."


# ---- paper data entry -------------------------------------------------------------


def entry(client, survey, answers: dict, submission_id: str | None = None, lang: str = "id"):
    url = f"/surveys/{survey.id}/paper/entry"
    page = client.get(url).get_data(as_text=True)
    import re

    sid = submission_id or re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
    data = {"csrf_token": get_csrf(client, url), "submission_id": sid, "lang": lang, **answers}
    return client.post(url, data=data), sid


def test_paper_entry_page_is_keyboard_friendly(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    html = client.get(f"/surveys/{survey.id}/paper/entry").get_data(as_text=True)
    assert html.count("autofocus") == 1
    # On the first answer field (the first question's first choice).
    first_field = html.split("autofocus", 1)[1][:80]
    assert 'name="q-uses" id="q-uses-1"' in first_field
    # Every question of every page on one form, one submit button.
    for code in ("uses", "why_not", "score", "comment", "age", "services"):
        assert f'name="q-{code}' in html
    # (The header's log-out buttons come before <main>.)
    assert html.split("<main", 1)[1].count('type="submit"') == 1


def test_paper_entry_stores_a_complete_paper_response(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    sent, sid = entry(
        client,
        survey,
        {
            "q-uses": "yes",
            "q-score": "7",
            "q-age": "52",
            "q-services": ["kia", "gigi"],
            "q-why_not": "typed by mistake on a hidden question",
        },
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/surveys/{survey.id}/paper/entry?lang=id")
    [response] = responses(survey.id)
    assert (response.status, response.channel, response.language, response.submission_id) == (
        "complete",
        "paper",
        "id",
        sid,
    )
    rows = db.session.execute(
        db.select(db.func.count()).select_from(Answer).where(Answer.response_id == response.id)
    ).scalar_one()
    assert rows == 5  # uses, score, age, two services; the hidden "why not" is not kept
    follow = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "(1 " in follow or "1 paper response" in follow
    # A double click (same submission id) stores nothing more.
    again, _ = entry(client, survey, {"q-uses": "yes", "q-score": "7", "q-age": "52"}, submission_id=sid)
    assert again.status_code == 303 and len(responses(survey.id)) == 1


@pytest.mark.parametrize(
    "answers",
    [
        {"q-uses": "yes", "q-score": "11", "q-age": "40"},
        {"q-uses": "maybe", "q-age": "40"},
        {"q-uses": "yes", "q-score": "5", "q-age": "abc"},
        {"q-uses": "yes", "q-score": "5"},
    ],
)
def test_invalid_paper_entry_is_shown_again_and_stores_nothing(client, world, answers):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    sent, _sid = entry(client, survey, answers)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and "Nothing was saved" in html and 'aria-invalid="true"' in html
    assert responses(survey.id) == []
    if answers.get("q-age") == "abc":
        assert 'value="abc"' in html  # what was typed is kept


def test_paper_entry_refuses_forged_ids_and_closed_surveys(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    sent, _ = entry(client, survey, {"q-uses": "no", "q-age": "30"}, submission_id="not-a-uuid")
    assert sent.status_code == 400 and responses(survey.id) == []
    survey.status = "closed"
    db.session.commit()
    sent, _ = entry(client, survey, {"q-uses": "no", "q-age": "30"}, submission_id=str(uuid.uuid4()))
    assert sent.status_code == 409 and "closed" in sent.get_data(as_text=True) and responses(survey.id) == []


def test_paper_entry_escapes_answers(client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    sent, _ = entry(client, survey, {"q-uses": "no", "q-why_not": XSS, "q-age": "x"})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and XSS not in html
    assert "&#34;&gt;&lt;img" in html or "&quot;&gt;&lt;img" in html


def test_share_page_names_a_regional_language_not_its_code(client, world):
    survey = make_survey(world.org)
    survey.languages = [*survey.languages, "jv"]
    db.session.commit()
    login(client, "editor@mawar.test")
    html = client.get(f"/surveys/{survey.id}/share").get_data(as_text=True)
    assert f"/surveys/{survey.id}/paper.pdf?lang=jv" in html
    assert "Basa Jawa" in html and ">JV<" not in html and " JV" not in html
