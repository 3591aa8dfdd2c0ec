"""tests/factories.py: a response made by ``respond()`` is the response the
submit path (``responses.services.submit_whole``) stores for the same
answers: the same answer rows in the same order, the same sheet, the same
columns. If the product changes how it stores answers, these fail first."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.questions import QUESTION_TYPES
from surveyapp.responses import outcomes, services, sheets, tokens
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.models import Survey
from tests import factories
from tests.factories import PAGE, PageBreak

NOW = datetime(2026, 3, 2, 3, 0)
STARTED = NOW - timedelta(seconds=75)
SCALE = [(str(n), n) for n in range(1, 6)]

# One question of each type, with answers in the shapes the API takes.
CASES = {
    "single_choice": ({"options": ["a", "b", {"code": "x", "label": {"id": "X", "en": "X"}, "is_other": True}]}, "b"),
    "single_choice_other": (
        {"type": "single_choice", "options": ["a", {"code": "x", "label": {"id": "X", "en": "X"}, "is_other": True}]},
        {"choice": "x", "other": "  warung  "},
    ),
    "multiple_choice": (
        {"options": ["clinic", "school", {"code": "other", "label": {"id": "L", "en": "O"}, "is_other": True}]},
        {"choices": ["school", "other"], "other": "pasar"},
    ),
    "yes_no": ({}, "no"),
    "likert": ({"settings": {"points": 5}, "options": SCALE}, "4"),
    "matrix": ({"options": SCALE, "items": ["speed", "staff"]}, {"speed": "5", "staff": 2}),
    "rating_0_10": ({}, 0),
    "stars": ({}, "3"),
    "ranking": ({"options": ["roads", "water", "light"]}, {"roads": 2, "water": "1", "light": 3}),
    "number": ({"settings": {"min": -10}}, "-2.75"),
    "date": ({}, "2026-02-17"),
    "short_text": ({}, "Budi\r\nSantoso"),
    "long_text": ({}, "Jalan rusak, lampu mati " + "x" * 300),
}


def _spec(case: str) -> dict:
    extra, _answer = CASES[case]
    return {"code": "q", "type": case, **extra}


def stored(response_id: int) -> tuple[dict, list[tuple], str | None]:
    """A response's columns (without the per-submission ones), its answer
    rows in id order and its sheet, read fresh from the database."""
    db.session.expire_all()
    response = db.session.get(Response, response_id)
    assert response.resume_token_hash == tokens.resume_token_hash(tokens.resume_token(response.submission_id))
    columns = {
        c: getattr(response, c)
        for c in Response.__table__.columns.keys()
        # tally_batch is the completion pipeline's mark (folded later, by a job), not what a submit stores
        if c not in ("id", "survey_id", "submission_id", "resume_token_hash", "sheet", "tally_batch")
    }
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.option_id, Answer.item_id, Answer.value_num, Answer.value_text)
        .where(Answer.response_id == response_id)
        .order_by(Answer.id)
    ).all()
    return columns, [tuple(r) for r in rows], response.sheet


def both(survey: Survey, answers: dict, **kwargs) -> tuple[tuple, tuple]:
    """(what submit_whole stored, what respond() stored) for the same answers."""
    client = kwargs.pop("client", None)
    participant = kwargs.pop("participant", None)
    real = services.submit_whole(
        survey,
        answers,
        str(uuid.uuid4()),
        kwargs.get("channel", "link"),
        kwargs.get("language"),
        STARTED,
        participant.id if participant else None,
        client=client,
        now=NOW,
    ).response
    made = factories.respond(
        survey, answers, submitted_at=NOW, started_at=STARTED, client=client, participant=participant, **kwargs
    )
    return stored(real.id), stored(made.id)


def _open(survey: Survey) -> Survey:
    survey.status = "open"
    db.session.commit()
    return survey


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_type_is_stored_as_the_submit_path_stores_it(ctx, world, case):
    survey = _open(factories.survey(world.org, [_spec(case), {"code": "info", "type": "note"}]))
    real, made = both(survey, {"q": CASES[case][1]})
    assert made == real
    assert made[1], "the answer made rows"
    # The sheet is the rows, numbers exact.
    entries = [tuple(e) for e in sheets.decode(made[2])]
    assert [(q, o, i, sheets.number(n), t) for q, o, i, n, t in entries] == [
        (q, o, i, sheets.number(n), t) for q, o, i, n, t in made[1]
    ]


def test_every_type_is_covered():
    assert {spec.get("type", case) for case, (spec, _a) in CASES.items()} == set(QUESTION_TYPES) - {"note"}


def test_a_whole_survey_with_logic_channel_language_and_client(ctx, world):
    questions = [
        {"code": "uses", "type": "yes_no", "required": True},
        {"code": "why", "type": "short_text", "logic": {"question": "uses", "op": "equals", "value": "no"}},
        PageBreak(logic={"question": "uses", "op": "equals", "value": "yes"}),
        {"code": "score", "type": "rating_0_10"},
        PAGE,
        {"code": "age", "type": "number", "settings": {"integer": True}},
    ]
    survey = _open(factories.survey(world.org, questions))
    client = services.ClientInfo(address="10.0.0.7", user_agent="Nokia/3310", browser_id="b-1")
    answers = {"uses": "no", "why": "jauh", "score": 9, "age": "41"}  # score is hidden: not stored
    real, made = both(survey, answers, channel="paper", language="en", client=client)
    assert made == real
    assert made[0]["last_page"] == 3 and made[0]["ip_hash"] and made[0]["user_agent"] == "Nokia/3310"
    assert len(made[1]) == 3


def test_participants_are_kept_but_not_for_an_anonymous_survey(ctx, world):
    person = Participant(organisation_id=world.org.id, identity_hash="h" * 64, pseudonym="P-1")
    db.session.add(person)
    db.session.commit()
    named = _open(factories.survey(world.org, [{"code": "q", "type": "yes_no"}]))
    real, made = both(named, {"q": "yes"}, participant=person)
    assert made == real and made[0]["participant_id"] == person.id
    hidden = _open(factories.survey(world.org, [{"code": "q", "type": "yes_no"}], anonymous=True))
    client = services.ClientInfo(address="10.0.0.7", user_agent="Nokia/3310", browser_id="b-1")
    real, made = both(hidden, {"q": "yes"}, participant=person, client=client)
    assert made == real
    assert made[0]["participant_id"] is None and made[0]["ip_hash"] is None and made[0]["browser_hash"] is None


def test_refuses_what_the_service_refuses(ctx, world):
    survey = _open(factories.survey(world.org, [{"code": "age", "type": "number", "required": True}]))
    for answers in ({}, {"age": "tua"}, {"nope": "1"}):
        refused = services.submit_whole(survey, answers, str(uuid.uuid4()), "link")
        assert isinstance(refused, outcomes.Invalid)
        with pytest.raises(services.ValidationFailed) as also:
            factories.respond(survey, answers)
        assert also.value.errors == dict(refused.errors)
    # A partial response may lack a required answer, not hold a bad one.
    assert factories.respond(survey, {}, status="partial").submitted_at is None
    with pytest.raises(services.ValidationFailed):
        factories.respond(survey, {"age": "tua"}, status="partial")


def test_check_false_stores_what_is_given(ctx, world):
    questions = [
        {"code": "uses", "type": "yes_no"},
        PageBreak(logic={"question": "uses", "op": "equals", "value": "yes"}),
        {"code": "age", "type": "number", "settings": {"integer": True}, "required": True},
    ]
    survey = factories.survey(world.org, questions)
    response = factories.respond(survey, {"uses": "no", "age": 41.5}, check=False, duration=30)
    columns, rows, sheet = stored(response.id)
    assert len(rows) == 2 and rows[1][3] == 41.5 and len(sheets.decode(sheet)) == 2
    assert columns["duration_seconds"] == 30 and columns["submitted_at"] == factories.SUBMITTED_AT


def test_survey_spec_shorthands(ctx, world):
    survey = factories.survey(
        world.org,
        [
            {"code": "sat", "type": "likert", "title": "Puas?", "options": SCALE},
            PAGE,
            {"code": "c", "type": "long_text"},
        ],
        title="Uji",
        status="open",
        response_cap=5,
        public_results=True,
    )
    assert survey.status == "open" and survey.response_cap == 5 and survey.setting("public_results") is True
    assert survey.title == {"id": "Uji", "en": "Uji"} and len(survey.pages) == 2
    sat = survey.questions[0]
    assert sat.title == {"id": "Puas?", "en": "Puas?"} and [o.value for o in sat.options] == [1, 2, 3, 4, 5]
