"""services.submit_page and submit_whole: each outcome is reachable, and an
outcome that stores nothing leaves the database exactly as it was."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.responses import answering, outcomes, services, tokens
from surveyapp.responses.models import Answer, Response
from tests.collect.helpers import answer_count, document, make_survey, responses, text

NO = {"choice": "no", "other": ""}
YES = {"choice": "yes", "other": ""}
PAGE_3 = {"age": "25", "services": {"choices": ["umum"], "other": ""}}


def one_page(org, **fields):
    doc = document(
        [
            [
                {"code": "uses", "type": "yes_no", "required": True, "title": text("Do you use the clinic?")},
                {"code": "note", "type": "short_text", "title": text("Anything else?")},
            ]
        ]
    )
    return make_survey(org, doc, **fields)


def sent(survey, page: int, raws: dict, submission_id: str | None = None, **fields) -> services.SentPage:
    """A page as the form sends it: a valid form token, every question of
    the page seen."""
    submission_id = submission_id or tokens.new_submission_id()
    fields.setdefault("form_token", tokens.form_token(survey.id, submission_id))
    fields.setdefault("shown", frozenset(q.code for q in answering.page_questions(survey, page)))
    fields.setdefault("language", "id")
    return services.SentPage(submission_id=submission_id, page=page, raws=raws, **fields)


def resumed(survey, page: int, raws: dict, response, **fields) -> services.SentPage:
    """A later page of ``response``, sent with its resume token."""
    fields.setdefault("form_token", tokens.form_token(survey.id, response.submission_id))
    return sent(
        survey, page, raws, response.submission_id, resume=tokens.resume_token(response.submission_id), **fields
    )


def database() -> tuple[list, list]:
    """Every response row and answer row as plain tuples."""
    db.session.expire_all()
    rows = db.session.execute(
        db.select(
            Response.id,
            Response.submission_id,
            Response.status,
            Response.last_page,
            Response.language,
            Response.submitted_at,
            Response.sheet,
        ).order_by(Response.id)
    ).all()
    answers = db.session.execute(
        db.select(
            Answer.response_id, Answer.question_id, Answer.option_id, Answer.value_num, Answer.value_text
        ).order_by(Answer.id)
    ).all()
    return [tuple(r) for r in rows], [tuple(a) for a in answers]


def begun(survey, first: dict | None = None):
    """A partial response with its first page stored."""
    outcome = services.submit_page(survey, sent(survey, 1, first or {"uses": NO, "why_not": "Jauh"}))
    assert isinstance(outcome, outcomes.Stored)
    return db.session.get(Response, outcome.response.id)


# ---- each outcome of a page ------------------------------------------------------


def test_a_first_page_is_stored_with_the_page_to_show_next(ctx, world):
    survey = make_survey(world.org)
    outcome = services.submit_page(survey, sent(survey, 1, {"uses": NO, "why_not": "Jauh"}))
    assert isinstance(outcome, outcomes.Stored) and outcome.next_page == 3 and outcome.gap is None
    [response] = responses(survey.id)
    assert response.id == outcome.response.id and response.status == "partial" and answer_count(response.id) == 2


def test_the_last_page_completes_and_a_later_page_goes_through_the_same_checks(ctx, world):
    survey = make_survey(world.org)
    response = begun(survey)
    too_young = services.submit_page(survey, resumed(survey, 3, {**PAGE_3, "age": "5"}, response))
    assert isinstance(too_young, outcomes.Invalid) and set(too_young.errors) == {"age"}
    assert too_young.response.id == response.id and too_young.page == 3
    done = services.submit_page(survey, resumed(survey, 3, PAGE_3, response))
    assert isinstance(done, outcomes.Completed) and not done.resumed
    assert responses(survey.id)[0].status == "complete"


def test_a_one_page_survey_completes_on_its_first_page(ctx, world):
    survey = one_page(world.org)
    outcome = services.submit_page(survey, sent(survey, 1, {"uses": YES, "note": ""}))
    assert isinstance(outcome, outcomes.Completed)
    assert outcome.response.status == "complete" and responses(survey.id)[0].status == "complete"


@pytest.mark.parametrize("copy", ["identical", "different"])
def test_a_resent_completed_page_is_a_duplicate_that_changes_nothing(ctx, world, copy):
    survey = one_page(world.org)
    first = sent(survey, 1, {"uses": YES, "note": "Bagus"})
    stored = services.submit_page(survey, first)
    assert isinstance(stored, outcomes.Completed)
    before = database()
    again = first if copy == "identical" else sent(survey, 1, {"uses": NO, "note": "Lain"}, first.submission_id)
    outcome = services.submit_page(survey, again)
    assert isinstance(outcome, outcomes.Duplicate) and outcome.response.id == stored.response.id
    assert database() == before


def test_a_resent_page_of_a_partial_response_continues_it(ctx, world):
    survey = make_survey(world.org)
    first = sent(survey, 1, {"uses": NO, "why_not": "Jauh"})
    services.submit_page(survey, first)
    # A double click, or the browser's back button, without the resume token.
    again = services.submit_page(survey, sent(survey, 1, {"uses": NO, "why_not": "Macet"}, first.submission_id))
    assert isinstance(again, outcomes.Stored) and len(responses(survey.id)) == 1
    assert answering.stored_raws(survey, again.response.id)["why_not"] == "Macet"


def test_the_last_page_with_an_earlier_page_missing_is_stored_with_its_gap(ctx, world):
    survey = make_survey(world.org)
    response = begun(survey, {"uses": YES})  # page 2 (score, required) now due
    outcome = services.submit_page(survey, resumed(survey, 3, PAGE_3, response))
    assert isinstance(outcome, outcomes.Stored) and outcome.gap is not None
    assert outcome.gap.page == 2 and set(outcome.gap.errors) == {"score"}
    assert responses(survey.id)[0].status == "partial" and answer_count(response.id) == 3


def test_back_keeps_the_page_and_leads_to_the_one_before(ctx, world):
    survey = make_survey(world.org)
    response = begun(survey)
    outcome = services.submit_page(survey, resumed(survey, 3, {"age": "", "services": None}, response, back=True))
    assert isinstance(outcome, outcomes.Stored) and outcome.next_page == 1


def test_invalid_answers_on_a_first_page_and_questions_they_reveal(ctx, world):
    survey = make_survey(world.org)
    missing = services.submit_page(survey, sent(survey, 1, {"uses": {"choice": "", "other": ""}}))
    assert isinstance(missing, outcomes.Invalid) and set(missing.errors) == {"uses"} and missing.response is None
    unseen = services.submit_page(survey, sent(survey, 1, {"uses": NO}, shown=frozenset({"uses"})))
    assert isinstance(unseen, outcomes.Invalid) and unseen.revealed == ("why_not",) and not unseen.errors
    assert responses() == [] and answer_count() == 0


def test_bad_tokens(ctx, world):
    survey, other = make_survey(world.org), make_survey(world.org)
    forged = services.submit_page(survey, sent(survey, 1, {"uses": NO}, form_token="1.forged"))
    assert forged == outcomes.BadToken({"uses": NO}, 1)
    foreign = tokens.form_token(other.id, tokens.new_submission_id())
    assert isinstance(
        services.submit_page(survey, sent(survey, 1, {"uses": NO}, form_token=foreign)), outcomes.BadToken
    )
    # A submission id of another survey's response, with a token made for this one.
    response = begun(other)
    taken = services.submit_page(survey, sent(survey, 1, {"uses": NO, "why_not": "x"}, response.submission_id))
    assert isinstance(taken, outcomes.BadToken) and taken.reason == outcomes.OTHER_SURVEY
    assert [r.id for r in responses()] == [response.id]


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"status": "closed"}, "closed"),
        ({"status": "draft"}, "unknown"),
        ({"response_cap": 1}, "full"),
    ],
)
def test_a_closed_or_full_survey_refuses_and_stores_nothing(ctx, world, fields, reason):
    survey = one_page(world.org)
    filler = sent(survey, 1, {"uses": YES, "note": ""})
    assert isinstance(services.submit_page(survey, filler), outcomes.Completed)
    for key, value in fields.items():
        setattr(survey, key, value)
    db.session.commit()
    before = database()
    outcome = services.submit_page(survey, sent(survey, 1, {"uses": NO, "note": ""}))
    assert outcome == outcomes.Refused(reason)
    assert database() == before
    # The response that was stored before is still thanked when sent again
    # (a draft reveals nothing at all).
    again = services.submit_page(survey, filler)
    assert isinstance(again, outcomes.Refused if reason == "unknown" else outcomes.Duplicate)
    assert database() == before


def test_the_cap_holds_when_the_last_response_is_in_progress(ctx, world):
    survey = make_survey(world.org, response_cap=1)
    late = begun(survey)
    first = begun(survey)
    assert isinstance(services.submit_page(survey, resumed(survey, 3, PAGE_3, first)), outcomes.Completed)
    before = database()
    assert services.submit_page(survey, resumed(survey, 3, PAGE_3, late)) == outcomes.Refused("full")
    assert database() == before


def test_other_refusals(ctx, world):
    survey = make_survey(world.org, settings={"one_per_browser": True})
    honeypot = services.submit_page(survey, sent(survey, 1, {"uses": NO}, honeypot=True))
    assert honeypot == outcomes.Refused(outcomes.HONEYPOT)
    resume = services.submit_page(survey, sent(survey, 3, PAGE_3, resume="not-a-resume-token"))
    assert resume == outcomes.Refused(outcomes.RESUME_INVALID)
    never_begun = services.submit_page(survey, sent(survey, 3, PAGE_3))
    assert never_begun == outcomes.Refused(outcomes.PAGE_NOT_AVAILABLE)
    seen = services.ClientInfo(seen_before=True)
    once = services.submit_page(survey, sent(survey, 1, {"uses": NO, "why_not": "x"}), client=seen)
    assert once == outcomes.Refused(outcomes.ONCE_PER_BROWSER)
    assert responses() == [] and answer_count() == 0
    response = begun(survey)
    hidden = services.submit_page(survey, resumed(survey, 2, {"score": "5", "comment": ""}, response))
    assert hidden == outcomes.Refused(outcomes.PAGE_NOT_AVAILABLE, response)


def test_nothing_refused_or_invalid_touches_a_partial_response(ctx, world):
    """Not its answers, its last page, its language nor its status."""
    survey = make_survey(world.org)
    response = begun(survey)
    before = database()
    bad = [
        resumed(survey, 3, {**PAGE_3, "age": "5"}, response),  # invalid
        resumed(survey, 3, {**PAGE_3, "age": "abc"}, response, language="en"),  # invalid, another language
        resumed(survey, 2, {"score": "5", "comment": ""}, response),  # a hidden page
        resumed(survey, 3, PAGE_3, response, form_token="1.forged"),  # bad token
        resumed(survey, 3, PAGE_3, response, honeypot=True),
        sent(survey, 1, {"uses": YES}, response.submission_id, form_token="1.forged"),
    ]
    for page in bad:
        outcome = services.submit_page(survey, page)
        assert isinstance(outcome, outcomes.Invalid | outcomes.Refused | outcomes.BadToken), outcome
        assert database() == before, outcome


# ---- whole submissions (paper, API, offline import) ----------------------------------


@pytest.mark.parametrize("copy", ["identical", "different"])
def test_a_whole_submission_sent_again_is_a_duplicate(ctx, world, copy):
    survey = make_survey(world.org)
    submission = tokens.new_submission_id()
    raws = {"uses": "no", "age": 20}
    first = services.submit_whole(survey, raws, submission, "api", "id")
    assert isinstance(first, outcomes.Completed) and not first.resumed
    before = database()
    again = raws if copy == "identical" else {"uses": "yes", "score": 3, "age": 99}
    outcome = services.submit_whole(survey, again, submission, "api", "id")
    assert outcome == outcomes.Duplicate(first.response) and database() == before


def test_a_whole_submission_completes_a_partial_response_with_its_id(ctx, world):
    survey = make_survey(world.org)
    response = begun(survey)
    outcome = services.submit_whole(survey, {"uses": "no", "age": 30}, response.submission_id, "api", "id")
    assert isinstance(outcome, outcomes.Completed) and outcome.resumed and outcome.response.id == response.id


def test_whole_submissions_that_store_nothing(ctx, world):
    survey, other = make_survey(world.org), make_survey(world.org)
    taken = services.submit_whole(other, {"uses": "no", "age": 20}, tokens.new_submission_id(), "api", "id")
    before = database()
    invalid = services.submit_whole(survey, {"uses": "maybe", "age": 7}, tokens.new_submission_id(), "api", "id")
    assert isinstance(invalid, outcomes.Invalid) and set(invalid.errors) == {"uses", "age"}
    assert services.submit_whole(survey, {"uses": "no", "age": 20}, "not-a-uuid", "api", "id") == outcomes.BadToken(
        {"uses": "no", "age": 20}
    )
    foreign = services.submit_whole(survey, {"uses": "no", "age": 20}, taken.response.submission_id, "api", "id")
    assert isinstance(foreign, outcomes.BadToken) and foreign.reason == outcomes.OTHER_SURVEY
    survey.status = "closed"
    db.session.commit()
    closed = services.submit_whole(survey, {"uses": "no", "age": 20}, tokens.new_submission_id(), "paper", "id")
    assert closed == outcomes.Refused("closed")
    assert database() == before
