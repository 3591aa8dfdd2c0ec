"""Every answer given is stored exactly once: double clicks, refreshes,
back-and-resubmit, retries and racing workers."""

from __future__ import annotations

import pytest

from surveyapp.responses import tokens
from tests.collect.helpers import Resident, answer_count, hidden_fields, make_survey, responses
from tests.concurrency import run_concurrently


def first_page_form(client, survey) -> dict:
    page = client.get(f"/s/{survey.public_token}")
    return {**hidden_fields(page.get_data(as_text=True)), "action": "next"}


def test_double_click_on_the_first_page_stores_one_response(client, world):
    survey = make_survey(world.org)
    form = {**first_page_form(client, survey), "q-uses": "yes"}
    one = client.post(f"/s/{survey.public_token}", data=form)
    two = client.post(f"/s/{survey.public_token}", data=form)
    assert one.status_code == two.status_code == 303
    assert one.headers["Location"] == two.headers["Location"]  # the same resume link
    [response] = responses(survey.id)
    assert answer_count(response.id) == 1


def test_submitting_the_final_page_twice_completes_once(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "no"})  # reveals why_not: page shown again
    resident.send({"q-uses": "no", "q-why_not": "Jauh"})
    final = {**resident.fields(), "action": "next", "q-age": "44", "q-services": "gigi"}
    first = client.post(f"/s/{survey.public_token}", data=final)
    second = client.post(f"/s/{survey.public_token}", data=final)
    assert first.status_code == second.status_code == 303
    assert "/thanks" in first.headers["Location"] and "/thanks" in second.headers["Location"]
    assert client.get(second.headers["Location"]).status_code == 200
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert answer_count(response.id) == 4  # uses, why_not, age, services
    submitted = response.submitted_at
    client.post(f"/s/{survey.public_token}", data=final)
    assert responses(survey.id)[0].submitted_at == submitted


def test_back_and_resubmit_after_finishing_shows_thanks(client, world):
    survey = make_survey(world.org)
    first_form = {**first_page_form(client, survey), "q-uses": "no", "q-why_not": "x"}
    first_form["shown"] = "uses why_not"
    client.post(f"/s/{survey.public_token}", data=first_form)
    resident = Resident(client, survey.public_token)
    resident.open(client.get(f"/s/{survey.public_token}").headers["Location"])
    resident.send({"q-age": "33"})
    assert responses(survey.id)[0].status == "complete"
    # The browser's back button re-sends the first page's form.
    again = client.post(f"/s/{survey.public_token}", data={**first_form, "q-uses": "yes"})
    assert again.status_code == 303 and "/thanks" in again.headers["Location"]
    [response] = responses(survey.id)
    assert answer_count(response.id) == 3


def test_a_refresh_of_a_middle_page_replaces_its_answers(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    page_two = {**resident.fields(), "action": "next", "q-score": "4"}
    client.post(f"/s/{survey.public_token}", data=page_two)
    client.post(f"/s/{survey.public_token}", data={**page_two, "q-score": "6"})
    [response] = responses(survey.id)
    assert answer_count(response.id) == 2  # uses + one score, the later one


def test_missing_submission_id_is_refused_and_page_reshown(client, world):
    survey = make_survey(world.org)
    form = {**first_page_form(client, survey), "q-uses": "yes"}
    del form["submission_id"]
    result = client.post(f"/s/{survey.public_token}", data=form)
    html = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "nothing was saved yet" in html or "belum ada yang tersimpan" in html
    assert 'value="yes" checked' in " ".join(html.split())  # the answer is kept
    assert responses() == []
    # The re-shown page carries a fresh, valid id: sending again works.
    resent = client.post(f"/s/{survey.public_token}", data={**hidden_fields(html), "action": "next", "q-uses": "yes"})
    assert resent.status_code == 303 and len(responses()) == 1


@pytest.mark.parametrize("tamper", ["forged_id", "forged_token", "other_survey", "not_uuid"])
def test_forged_submission_ids_store_nothing(client, world, tamper):
    survey = make_survey(world.org)
    other = make_survey(world.org)
    form = {**first_page_form(client, survey), "q-uses": "yes"}
    if tamper == "forged_id":
        form["submission_id"] = tokens.new_submission_id()
    elif tamper == "forged_token":
        form["form_token"] = form["form_token"].split(".")[0] + ".AAAA"
    elif tamper == "other_survey":
        form = {**first_page_form(client, other), "q-uses": "yes"}
    else:
        form["submission_id"] = "1; DROP TABLE responses"
    result = client.post(f"/s/{survey.public_token}", data=form)
    assert result.status_code == 400
    assert responses() == []


def test_a_forged_resume_token_is_refused(client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    assert client.get(f"/s/{survey.public_token}/r/not-a-real-token").status_code == 404
    form = {**resident.fields(), "action": "next", "q-score": "5", "resume": "forged" * 3}
    result = client.post(f"/s/{survey.public_token}", data=form)
    assert result.status_code == 404
    assert "not valid" in result.get_data(as_text=True) or "tidak berlaku" in result.get_data(as_text=True)
    [response] = responses(survey.id)
    assert answer_count(response.id) == 1
    # A valid resume token of another survey does not open this one.
    other = make_survey(world.org)
    foreign = tokens.resume_token(response.submission_id)
    assert client.get(f"/s/{other.public_token}/r/{foreign}").status_code == 404


def _post_at_once(app, url: str, form: dict, n: int = 6) -> list[int]:
    return run_concurrently(app, lambda client: client.post(url, data=form).status_code, n, prepare=app.test_client)


def test_concurrent_first_page_submits_store_one_response(app, client, world):
    survey = make_survey(world.org)
    form = {**first_page_form(client, survey), "q-uses": "yes"}
    statuses = _post_at_once(app, f"/s/{survey.public_token}", form)
    assert statuses == [303] * len(statuses)
    [response] = responses(survey.id)
    assert answer_count(response.id) == 1


def test_concurrent_final_submits_complete_once(app, client, world):
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "10"})
    final = {**resident.fields(), "action": "next", "q-age": "61", "q-services": ["kia", "gigi"]}
    statuses = _post_at_once(app, f"/s/{survey.public_token}", final)
    assert statuses == [303] * len(statuses)
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert answer_count(response.id) == 5  # uses, score, age, kia, gigi


def test_concurrent_one_call_submissions_store_once(app, world):
    """The service used by paper entry and the API, from racing workers."""
    from surveyapp.extensions import db
    from surveyapp.responses import services
    from surveyapp.surveys.models import Survey

    survey = make_survey(world.org)
    survey_id, submission = survey.id, tokens.new_submission_id()
    raws = {"uses": "yes", "score": 9, "age": 20}
    results = run_concurrently(
        app,
        lambda target: services.submit_complete(target, raws, submission, "api", "id").id,
        5,
        prepare=lambda: db.session.get(Survey, survey_id),
    )
    [response] = responses(survey_id)
    assert set(results) == {response.id} and response.status == "complete"
    assert answer_count(response.id) == 3
