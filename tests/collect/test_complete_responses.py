"""A response becomes complete only when every visible page passes its
page check, whatever path the resident took to the last page."""

from __future__ import annotations

from tests.collect.helpers import (
    Resident,
    answer_count,
    document,
    make_survey,
    options,
    responses,
    scored,
    text,
)

# Page 1: a name. Page 2: a required matrix and a required ranking.
# Page 3: a required age between 10 and 120.
THREE_PAGES = document(
    [
        [{"code": "name", "type": "short_text", "required": True, "title": text("Your name")}],
        [
            {
                "code": "grid",
                "type": "matrix",
                "required": True,
                "title": text("Rate these"),
                "options": scored("good", "bad"),
                "items": options("water", "road"),
            },
            {
                "code": "rank",
                "type": "ranking",
                "required": True,
                "title": text("Rank these"),
                "options": options("x", "y"),
            },
        ],
        [
            {
                "code": "age",
                "type": "number",
                "required": True,
                "title": text("Your age"),
                "settings": {"integer": True, "min": 10, "max": 120},
            }
        ],
    ]
)
PAGE_2 = {"q-grid-water": "good", "q-grid-road": "bad", "q-rank-x": "1", "q-rank-y": "2"}


def test_back_then_error_then_resume_link_does_not_complete_with_gaps(client, world):
    survey = make_survey(world.org, THREE_PAGES)
    resident = Resident(client, survey.public_token)
    resident.open(f"/s/{survey.public_token}?lang=en")
    resident.send({"q-name": "Siti"})
    assert "Rate these" in resident.html
    resident.send(action="back")  # Back on page 2, nothing answered there
    assert "Your name" in resident.html
    resident.open(resident.page.request.path + "?page=2&lang=en")
    sent = resident.send({"q-grid-water": "good"})  # page 2 again, with an error
    assert sent.status_code == 422
    resume = resident.fields()["resume"]
    resident.open(f"/s/{survey.public_token}/r/{resume}?lang=en")
    # The saved link leads to page 2: a page left with Back is not a page done.
    assert "Rate these" in resident.html
    # Page 3 sent anyway (its form from another tab, or a replay).
    sent = resident.send({"q-age": "41"}, page="3", shown="age")
    # Not complete: the first page with a problem comes back, with a clear message.
    assert sent.status_code == 422
    [response] = responses(survey.id)
    assert response.status == "partial" and response.submitted_at is None
    html = resident.html
    assert "Rate these" in html and "Rank these" in html
    assert 'class="error-summary"' in html and "before your answers can be sent" in html
    assert answer_count(response.id) == 2  # page 3's age was kept: nothing typed is lost

    # Answering the gap completes the response, and page 3 need not be typed again.
    sent = resident.send(PAGE_2)
    assert sent.status_code == 303
    assert "Your age" in resident.html and 'value="41"' in resident.html
    sent = resident.send({"q-age": "41"})  # the browser sends the value shown
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    [response] = responses(survey.id)
    assert response.status == "complete" and answer_count(response.id) == 6


def test_every_completion_path_checks_the_whole_response(ctx, world):
    from surveyapp.responses import outcomes, services, tokens

    survey = make_survey(world.org, THREE_PAGES)
    response, _created = services.start_response(survey, tokens.new_submission_id(), language="en")
    services.save_page(survey, response, 1, {"name": "Siti"})
    # Page 3 is good on its own: it is stored, the response stays partial.
    result = services.save_page(survey, response, 3, {"age": "41"})
    assert isinstance(result, outcomes.Stored) and result.gap is not None
    assert result.gap.page == 2 and set(result.gap.errors) == {"grid", "rank"}
    [stored] = responses(survey.id)
    assert stored.status == "partial" and stored.last_page == 1 and answer_count(stored.id) == 2
    # Completing it directly is refused the same way, and writes nothing.
    refused = services.complete(survey, stored)
    assert isinstance(refused, outcomes.Invalid) and refused.page == 2
    assert responses(survey.id)[0].status == "partial"


def test_a_kiosk_skipping_a_page_does_not_complete_either(client, world):
    from surveyapp.distribute import kiosk

    survey = make_survey(world.org, THREE_PAGES)
    resident = Resident(client, survey.public_token)
    resident.open(f"/k/{kiosk.token_for(survey)}?lang=en")
    resident.send({"q-name": "Siti"})
    assert "Rate these" in resident.html
    sent = resident.send({"q-age": "41"}, page="3", shown="age")  # page 3 sent from page 2's form
    assert sent.status_code == 422 and "Rate these" in resident.html
    [response] = responses(survey.id)
    assert response.status == "partial" and response.channel == "kiosk"
