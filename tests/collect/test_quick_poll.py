"""Quick polls: one tap to vote, then (optionally) the results so far."""
from __future__ import annotations

import re

from tests.collect.helpers import Resident, make_survey, options, responses, text


def poll_document(**settings) -> dict:
    return {
        "format": "suara-survey", "version": 1, "kind": "quick_poll", "languages": ["id", "en"],
        "default_language": "id", "title": text("Market day", "Hari pasar"), "settings": settings,
        "pages": [{"questions": [{"code": "day", "type": "single_choice", "required": True,
                                  "title": text("Which day for the market?"), "options": options("sat", "sun", "mon")}]}],
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


def test_results_after_voting_are_counted_in_sql(app, client, world):
    survey = make_survey(world.org, poll_document(show_results_after_vote=True))
    for choice in ("sat", "sun", "sun"):
        vote(app.test_client(), survey, choice)
    resident, _ = vote(client, survey, "sun")
    html = " ".join(resident.html.split())
    assert "Results so far" in html
    assert "4 people have voted." in html
    assert re.search(r"<span>Sun</span> <strong>75%</strong> <span class=\"muted\">\(3 votes\)", html)
    assert re.search(r"<span>Sat</span> <strong>25%</strong>", html)
    assert re.search(r"<span>Mon</span> <strong>0%</strong>", html)
    # Someone who did not vote does not get the results from the thanks page.
    assert "Results so far" not in app.test_client().get(f"/s/{survey.public_token}/thanks?lang=en").get_data(as_text=True)


def test_a_tampered_vote_is_refused(client, world):
    survey = make_survey(world.org, poll_document())
    resident, result = vote(client, survey, "tuesday")
    assert result.status_code == 422
    assert responses() == []
