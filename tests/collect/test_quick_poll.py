"""Quick polls: one tap to vote, then (optionally) the results so far."""

from __future__ import annotations

import re

from surveyapp.extensions import db
from tests.collect.helpers import Resident, make_survey, options, responses, text


def poll_document(**settings) -> dict:
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "quick_poll",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": text("Market day", "Hari pasar"),
        "settings": settings,
        "pages": [
            {
                "questions": [
                    {
                        "code": "day",
                        "type": "single_choice",
                        "required": True,
                        "title": text("Which day for the market?"),
                        "options": options("sat", "sun", "mon"),
                    }
                ]
            }
        ],
    }


def vote(client, survey, choice: str):
    resident = Resident(client, survey.public_token)
    resident.open(f"/s/{survey.public_token}?lang=en")
    return resident, resident.send({"q-day": choice})


def test_a_poll_is_answered_with_one_tap(client, world):
    survey = make_survey(world.org, poll_document())
    page = client.get(f"/s/{survey.public_token}?lang=en").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" name="q-day" value="([^"]+)"', page)
    assert buttons == ["sat", "sun", "mon"]
    assert "<legend>Which day for the market?</legend>" in page
    assert 'name="action" value="next"' in page and "Send my answers" not in page
    resident, result = vote(client, survey, "sun")
    assert result.status_code == 303 and "/thanks" in result.headers["Location"]
    assert "Results so far" not in resident.html
    [response] = responses(survey.id)
    assert response.status == "complete"


def _set_k(org, k: int) -> None:
    org.privacy_min_cell = k
    db.session.commit()


def test_results_after_voting_are_counted_in_sql(app, client, world):
    _set_k(world.org, 3)
    survey = make_survey(world.org, poll_document(show_results_after_vote=True))
    for choice in ("sat", "sat", "sat", "sun", "sun", "sun"):
        vote(app.test_client(), survey, choice)
    resident, _ = vote(client, survey, "sun")
    html = " ".join(resident.html.split())
    assert "Results so far" in html
    assert "7 people have voted." in html
    assert re.search(r"<span>Sun</span> <strong>57%</strong> <span class=\"muted\">\(4 votes\)", html)
    assert re.search(r"<span>Sat</span> <strong>43%</strong>", html)
    assert re.search(r"<span>Mon</span> <strong>0%</strong>", html)
    # Someone who did not vote does not get the results from the thanks page.
    assert "Results so far" not in app.test_client().get(f"/s/{survey.public_token}/thanks?lang=en").get_data(
        as_text=True
    )


def test_results_wait_until_k_people_have_voted(app, client, world):
    survey = make_survey(world.org, poll_document(show_results_after_vote=True))  # k = 5 by default
    for choice in ("sat", "sun", "sun"):
        vote(app.test_client(), survey, choice)
    resident, _ = vote(client, survey, "sun")
    html = " ".join(resident.html.split())
    assert "Results so far" in html
    assert "Results appear once at least 5 people have voted." in html
    assert "%" not in html and "votes)" not in html


def test_small_vote_counts_are_hidden_with_a_complement(app, client, world):
    # One vote for Saturday is under k = 3. Hiding it alone would not do:
    # the total minus the shown counts would give it back, so the smallest
    # other count (Monday) is hidden with it.
    _set_k(world.org, 3)
    survey = make_survey(world.org, poll_document(show_results_after_vote=True))
    for choice in ("sat", "sun", "sun", "sun", "mon", "mon", "mon"):
        vote(app.test_client(), survey, choice)
    resident, _ = vote(client, survey, "sun")
    html = " ".join(resident.html.split())
    assert "8 people have voted." in html
    assert re.search(r"<span>Sun</span> <strong>50%</strong> <span class=\"muted\">\(4 votes\)", html)
    assert re.search(r"<span>Sat</span> <span class=\"muted\">Hidden: too few votes to show</span>", html)
    assert re.search(r"<span>Mon</span> <span class=\"muted\">Hidden: too few votes to show</span>", html)
    assert "(1 vote)" not in html and "(3 votes)" not in html


def test_a_tampered_vote_is_refused(client, world):
    survey = make_survey(world.org, poll_document())
    resident, result = vote(client, survey, "tuesday")
    assert result.status_code == 422
    assert responses() == []
