"""The shared link: one page at a time, skip logic, errors, languages, resume."""

from __future__ import annotations

import re

from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from surveyapp.surveys.models import Question
from tests.collect.helpers import Resident, answer_count, make_survey, responses


def stored(response_id: int) -> dict:
    rows = db.session.execute(
        db.select(Question.code, Answer.value_num, Answer.value_text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response_id)
    ).all()
    return {code: (num, text) for code, num, text in rows}


def test_a_resident_answers_page_by_page(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    first = resident.open(headers={"Accept-Language": "en"})
    html = resident.html
    assert first.status_code == 200
    # Page 2 is shown only to clinic users, so it is not counted yet.
    assert "Page 1 of 2" in html and '<progress id="progress" max="2" value="1">' in html
    assert "Welcome, neighbour." in html
    assert 'property="og:title" content="Clinic survey"' in html and 'property="og:type"' in html
    assert "resume-link" not in html  # nothing saved yet
    assert "suara.css" not in html and "respond.css" in html

    sent = resident.send({"q-uses": "yes"})
    assert sent.status_code == 303 and "/r/" in sent.headers["Location"]
    html = resident.html
    assert "Page 2 of 3" in html and "Welcome, neighbour." not in html
    assert 'id="resume-link"' in html
    [response] = responses(survey.id)
    assert (response.status, response.last_page, response.language, response.channel) == ("partial", 1, "en", "link")
    assert stored(response.id) == {"uses": (1.0, None)}

    resident.send({"q-score": "9", "q-comment": "Ramah"})
    assert "Page 3 of 3" in resident.html and "Send my answers" in resident.html
    sent = resident.send({"q-age": "41", "q-services": ["kia", "umum"]})
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    assert "Thanks for your voice." in resident.html
    [response] = responses(survey.id)
    assert response.status == "complete" and response.submitted_at is not None
    assert response.duration_seconds is not None and response.duration_seconds >= 0
    assert response.last_page == 3
    assert answer_count(response.id) == 6  # uses, score, comment, age, two services


def test_skip_logic_hides_pages_and_their_answers(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "3"})
    # Back to page 1 and change the answer: page 2 disappears, its answers go.
    resident.open(resident.page.request.path + "?page=1")
    assert "Page 1 of 3" in resident.html
    sent = resident.send({"q-uses": "no", "q-why_not": "Jauh"}, shown="uses why_not")
    assert sent.status_code == 303
    assert "Page 2 of 2" in resident.html and "q-age" in resident.html, resident.html
    [response] = responses(survey.id)
    assert set(stored(response.id)) == {"uses", "why_not"}
    resident.send({"q-age": "30"})
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert set(stored(response.id)) == {"uses", "why_not", "age"}


def test_same_page_logic_reshows_the_page_with_the_new_question(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    shown = resident.fields()["shown"]
    assert shown == "uses"  # why_not is hidden until "no"
    first = resident.send({"q-uses": "no"})
    assert first.status_code == 200
    html = resident.html
    assert "Your answer opened more questions on this page" in html
    assert (
        'name="q-why_not"' in html
        and 'value="no" checked' in html.replace("\n", " ").replace("  ", " ")
        or "checked" in html
    )
    assert resident.fields()["shown"] == "uses why_not"
    assert responses() == []  # nothing stored until the page is sent as seen
    again = resident.send({"q-uses": "no", "q-why_not": "Antre lama"})
    assert again.status_code == 303


def test_errors_are_listed_tied_to_fields_and_answers_kept(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open(headers={"Accept-Language": "en"})
    resident.send({"q-uses": "yes"})
    result = resident.send({"q-comment": "Stays here"})
    assert result.status_code == 422
    html = resident.html
    assert 'class="error-summary"' in html and 'href="#q-score-0"' in html
    assert 'aria-describedby="q-score-error"' in html and 'id="q-score-error"' in html
    assert "Stays here</textarea>" in html
    assert "<title>Error:" in html
    resident.send({"q-score": "11", "q-comment": "Stays here"})
    assert resident.page.status_code == 422 and "Choose a number from 0 to 10." in resident.html
    [response] = responses(survey.id)
    assert set(stored(response.id)) == {"uses"}


def test_back_saves_and_goes_to_the_previous_page(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    sent = resident.send({"q-score": "", "q-comment": "Later"}, action="back")
    assert sent.status_code == 303 and "page=1" in sent.headers["Location"]
    assert "Page 1 of 3" in resident.html and 'value="yes" checked' in re.sub(r"\s+", " ", resident.html)
    [response] = responses(survey.id)
    assert stored(response.id)["comment"] == (None, "Later") and response.status == "partial"


def test_language_choice(client, world):
    survey = make_survey(world.org)
    no_preference = {"Accept-Language": ""}  # the test client otherwise asks for English
    by_default = client.get(f"/s/{survey.public_token}", headers=no_preference).get_data(as_text=True)
    assert "Survei puskesmas" in by_default and '<html lang="id">' in by_default
    by_browser = client.get(f"/s/{survey.public_token}", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert "Clinic survey" in by_browser and "Next</button>" in by_browser
    chosen = client.get(f"/s/{survey.public_token}?lang=en", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Clinic survey" in chosen
    assert f'href="/s/{survey.public_token}?lang=id"' in chosen  # the switch
    unknown = client.get(f"/s/{survey.public_token}?lang=fr", headers=no_preference).get_data(as_text=True)
    assert "Survei puskesmas" in unknown


def test_language_is_kept_through_the_flow(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open(f"/s/{survey.public_token}?lang=en")
    resident.send({"q-uses": "yes"})
    assert "lang=en" in resident.page.request.full_path and "How likely to recommend?" in resident.html
    [response] = responses(survey.id)
    assert response.language == "en"


def test_resume_from_the_link_without_a_session(client, app, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resume_url = re.search(r'id="resume-link" value="([^"]+)"', resident.html).group(1)
    other_phone = app.test_client()
    page = other_phone.get(resume_url.replace("http://localhost", ""))
    assert page.status_code == 200 and "Page 2 of 3" in page.get_data(as_text=True)
    # Asking for a page beyond the one reached shows the page to continue with.
    ahead = other_phone.get(resume_url.replace("http://localhost", "") + "?page=3")
    assert "Page 2 of 3" in ahead.get_data(as_text=True)
    later = Resident(other_phone, survey.public_token)
    later.page = page
    later.send({"q-score": "7"})
    later.send({"q-age": "50"})
    assert responses(survey.id)[0].status == "complete"


def test_reopening_the_shared_link_continues(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    again = client.get(f"/s/{survey.public_token}")
    assert again.status_code == 303 and "/r/" in again.headers["Location"]


def test_a_lost_session_does_not_lose_answers(client, world):
    """Two hours later the session cookie is gone: the form still carries
    the submission id and resume token, so the page is stored."""
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    client.delete_cookie("session")
    sent = resident.send({"q-score": "8"})
    assert sent.status_code == 303
    [response] = responses(survey.id)
    assert response.last_page == 2 and stored(response.id)["score"] == (8.0, None)


def test_qr_and_embed_channels(client, world):
    survey = make_survey(world.org)
    qr = Resident(client, survey.public_token)
    qr.open(f"/s/{survey.public_token}?src=qr")
    assert qr.fields()["channel"] == "qr"
    qr.send({"q-uses": "yes"})
    embed_client = client.application.test_client()
    page = embed_client.get(f"/s/{survey.public_token}/embed")
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    embed = Resident(embed_client, survey.public_token)
    embed.page = page
    embed.send({"q-uses": "yes"})
    assert "X-Frame-Options" not in embed.page.headers  # later pages stay framable
    normal = client.application.test_client().get(f"/s/{survey.public_token}")
    assert normal.headers["X-Frame-Options"] == "DENY"
    assert sorted(r.channel for r in responses(survey.id)) == ["embed", "qr"]


def test_a_survey_with_one_page_shows_no_progress(client, world):
    from tests.collect.helpers import document, text

    survey = make_survey(world.org, document([[{"code": "ok", "type": "yes_no", "title": text("OK?")}]]))
    html = client.get(f"/s/{survey.public_token}").get_data(as_text=True)
    assert "<progress" not in html and "Send my answers" in html or "Kirim" in html


def test_thanks_links_to_public_results_when_enabled(client, world):
    from tests.collect.helpers import document, text

    doc = document([[{"code": "ok", "type": "yes_no", "title": text("OK?")}]], settings={"public_results": True})
    survey = make_survey(world.org, doc)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-ok": "yes"})
    # The resident answered in the browser's language (the test client asks for English).
    assert f'href="/s/{survey.public_token}/results?lang=en"' in resident.html
    plain = make_survey(world.org, document([[{"code": "ok", "type": "yes_no", "title": text("OK?")}]]))
    assert "/results" not in client.get(f"/s/{plain.public_token}/thanks").get_data(as_text=True)
