"""A resident on a slow network: the first page of a 10-question survey,
with everything it loads, stays under 50 KB."""

from __future__ import annotations

import re

from tests.collect.helpers import document, make_survey, options, scored, text

BUDGET = 50 * 1024


def ten_questions() -> dict:
    likert = [
        {"code": str(i), "label": text(f"Level {i} of satisfaction", f"Tingkat kepuasan {i}"), "value": i}
        for i in range(1, 6)
    ]
    questions = [
        {
            "code": "rw",
            "type": "single_choice",
            "required": True,
            "title": text("Which RW do you live in?", "Anda tinggal di RW berapa?"),
            "options": options(*[f"rw{i:02d}" for i in range(1, 11)]),
        },
        {
            "code": "age",
            "type": "single_choice",
            "title": text("Your age group"),
            "options": options("a17", "a25", "a40", "a60"),
        },
        {"code": "uses", "type": "yes_no", "required": True, "title": text("Have you used the clinic this year?")},
        {
            "code": "overall",
            "type": "likert",
            "settings": {"points": 5},
            "title": text("Overall, how satisfied are you?"),
            "options": likert,
        },
        {
            "code": "staff",
            "type": "likert",
            "settings": {"points": 5},
            "title": text("How satisfied are you with the staff?"),
            "options": likert,
        },
        {
            "code": "aspects",
            "type": "matrix",
            "title": text("Rate these"),
            "options": scored("good", "ok", "poor"),
            "items": options("waiting", "cleanliness", "friendliness", "cost"),
        },
        {
            "code": "recommend",
            "type": "rating_0_10",
            "title": text("How likely are you to recommend it?"),
            "settings": {"low_label": text("Not at all"), "high_label": text("Very likely")},
        },
        {
            "code": "needs",
            "type": "multiple_choice",
            "title": text("What should improve?"),
            "options": options("hours", "medicine", "staff", "building", "queue"),
        },
        {
            "code": "phone",
            "type": "short_text",
            "title": text("Phone (optional)"),
            "settings": {"pattern": "phone"},
            "help_text": text("Only if you want us to call you back."),
        },
        {"code": "comment", "type": "long_text", "title": text("Anything else you want to tell us?")},
    ]
    return document(
        [questions], description=text("A short survey about the clinic.", "Survei singkat tentang puskesmas.")
    )


def test_first_page_with_everything_it_loads_is_under_50_kb(client, world):
    survey = make_survey(world.org, ten_questions())
    page = client.get(f"/s/{survey.public_token}")
    html = page.get_data()
    assert page.status_code == 200 and html.count(b'class="question ') == 10
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == [b"/static/css/respond.css"]  # no organiser CSS
    assert b"<script" not in html and b"<img" not in html
    total = len(html)
    for href in stylesheets:
        css = client.get(href.decode())
        assert css.status_code == 200
        total += len(css.get_data())
    assert total < BUDGET, f"{total} bytes"


def test_the_respondent_stylesheet_stays_small():
    from pathlib import Path

    size = (Path(__file__).resolve().parents[2] / "surveyapp/static/css/respond.css").stat().st_size
    assert size < 10 * 1024
