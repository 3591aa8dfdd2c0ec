"""The write services used by every channel (link, paper, kiosk, API)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from surveyapp.database import utcnow
from surveyapp.responses import answering, outcomes, services, tokens
from tests.collect.helpers import answer_count, make_survey, responses, sheet_and_answers


def test_submit_complete_stores_a_whole_response(ctx, world):
    survey = make_survey(world.org)
    started = utcnow() - timedelta(minutes=3)
    response = services.submit_complete(
        survey,
        {"uses": "yes", "score": 9, "comment": "Bagus", "age": "35", "services": ["kia", "gigi"]},
        tokens.new_submission_id(),
        "paper",
        "en",
        started_at=started,
    )
    assert response.status == "complete" and response.channel == "paper" and response.language == "en"
    assert 170 <= response.duration_seconds <= 200 and response.last_page == 3
    assert answer_count(response.id) == 6


def test_submit_complete_reports_every_problem_and_stores_nothing(ctx, world):
    survey = make_survey(world.org)
    with pytest.raises(services.ValidationFailed) as failed:
        services.submit_complete(
            survey,
            {"uses": "maybe", "age": 7, "nosuch": 1, "services": ["kia", "spa"]},
            tokens.new_submission_id(),
            "api",
            "id",
        )
    assert set(failed.value.errors) == {"uses", "age", "nosuch", "services"}
    assert responses() == [] and answer_count() == 0


def test_submit_complete_ignores_answers_hidden_by_logic(ctx, world):
    survey = make_survey(world.org)
    response = services.submit_complete(
        survey, {"uses": "no", "score": 3, "age": 70}, tokens.new_submission_id(), "api", "id"
    )
    codes = {q.id: q.code for q in survey.questions}
    stored = {codes[a.question_id] for a in response.answers}
    assert stored == {"uses", "age"}  # score is on a page only clinic users see


def test_submit_complete_is_idempotent(ctx, world):
    survey = make_survey(world.org)
    submission = tokens.new_submission_id()
    first = services.submit_complete(survey, {"uses": "no", "age": 20}, submission, "api", "id")
    second = services.submit_complete(survey, {"uses": "yes", "score": 1, "age": 99}, submission, "api", "id")
    assert first.id == second.id and len(responses()) == 1 and answer_count() == 2


def test_submission_ids_are_checked(ctx, world):
    survey, other = make_survey(world.org), make_survey(world.org)
    with pytest.raises(ValueError):
        services.submit_complete(survey, {"uses": "no", "age": 20}, "not-a-uuid", "api", "id")
    submission = tokens.new_submission_id()
    services.submit_complete(survey, {"uses": "no", "age": 20}, submission, "api", "id")
    with pytest.raises(services.SubmissionConflict):
        services.submit_complete(other, {"uses": "no", "age": 20}, submission, "api", "id")
    with pytest.raises(services.SubmissionConflict):
        services.start_response(other, submission)


def test_submit_complete_refuses_a_closed_survey(ctx, world):
    survey = make_survey(world.org, status="closed")
    with pytest.raises(services.NotAnswerable) as refused:
        services.submit_complete(survey, {"uses": "no", "age": 20}, tokens.new_submission_id(), "paper", "id")
    assert refused.value.reason == "closed" and responses() == []


def test_save_page_replaces_rows_and_refuses_hidden_pages(ctx, world):
    survey = make_survey(world.org)
    response, created = services.start_response(survey, tokens.new_submission_id(), language="id")
    assert created
    again, created_again = services.start_response(survey, response.submission_id)
    assert again.id == response.id and not created_again
    revealed = services.save_page(
        survey, response, 1, {"uses": {"choice": "no", "other": ""}, "why_not": "x"}, shown={"uses"}
    )
    assert isinstance(revealed, outcomes.Invalid)
    assert revealed.revealed == ("why_not",) and not revealed.errors and answer_count(response.id) == 0
    hidden = services.save_page(survey, response, 2, {"score": "5"})  # clinic page, hidden for "no"
    assert hidden == outcomes.Refused(outcomes.PAGE_NOT_AVAILABLE, response)
    services.save_page(survey, response, 1, {"uses": {"choice": "no", "other": ""}, "why_not": "Jauh"})
    assert answer_count(response.id) == 2
    result = services.save_page(survey, response, 3, {"age": "25", "services": {"choices": ["umum"], "other": ""}})
    assert isinstance(result, outcomes.Completed) and result.response.status == "complete"
    repeat = services.save_page(survey, response, 3, {"age": "26", "services": {"choices": [], "other": ""}})
    assert isinstance(repeat, outcomes.Duplicate) and answer_count(response.id) == 4


def test_normalise_raw_accepts_simple_values(ctx, world):
    survey = make_survey(world.org)
    q = {q.code: q for q in survey.questions}
    assert answering.normalise_raw(q["uses"], "yes") == {"choice": "yes", "other": ""}
    assert answering.normalise_raw(q["services"], "kia") == {"choices": ["kia"], "other": ""}
    assert answering.normalise_raw(q["age"], 41.0) == "41"
    assert answering.normalise_raw(q["score"], None) == ""


def test_form_tokens(ctx, world):
    submission = tokens.new_submission_id()
    token = tokens.form_token(7, submission)
    assert tokens.check_form_token(7, submission, token) is not None
    assert tokens.check_form_token(8, submission, token) is None
    assert tokens.check_form_token(7, tokens.new_submission_id(), token) is None
    assert tokens.check_form_token(7, submission, None) is None
    assert tokens.check_form_token(7, submission, "9999999999999.x") is None
    future = tokens.form_token(7, submission, issued=int(time.time()) + 10**6)
    assert tokens.check_form_token(7, submission, future) is None
    assert tokens.resume_token(submission) != tokens.resume_token(tokens.new_submission_id())


def test_every_completion_stores_the_answer_sheet(ctx, world):
    """Exports read a complete response's answers from its sheet: each way of
    completing writes it, equal to the answer rows; partial ones have none."""
    survey = make_survey(world.org)
    whole = services.submit_complete(
        survey,
        {"uses": "yes", "score": 9, "comment": "=1+1", "age": "35", "services": ["kia", "gigi"]},
        tokens.new_submission_id(),
        "paper",
        "en",
    )
    sheet, answers = sheet_and_answers(whole.id)
    assert sheet == answers and len(answers) == 6

    response, _created = services.start_response(survey, tokens.new_submission_id(), language="id")
    services.save_page(survey, response, 1, {"uses": {"choice": "no", "other": ""}, "why_not": "Jauh"})
    assert sheet_and_answers(response.id)[0] is None  # partial: no sheet yet
    done = services.save_page(survey, response, 3, {"age": "70", "services": {"choices": ["umum"], "other": ""}})
    assert isinstance(done, outcomes.Completed)
    sheet, answers = sheet_and_answers(response.id)
    assert sheet == answers and len(answers) == 4

    later, _created = services.start_response(survey, tokens.new_submission_id(), language="id")
    services.save_page(survey, later, 1, {"uses": {"choice": "no", "other": ""}})
    services.save_page(survey, later, 3, {"age": "18", "services": {"choices": [], "other": ""}}, finish=False)
    assert sheet_and_answers(later.id)[0] is None
    assert isinstance(services.complete(survey, later), outcomes.Completed)
    sheet, answers = sheet_and_answers(later.id)
    assert sheet == answers and len(answers) == 2
