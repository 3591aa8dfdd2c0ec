"""Property tests for the resident POST: whatever a resident (or a replaying
browser) does, in any order, a response stored as complete satisfies its
survey, and nothing is stored twice.

Actions are drawn at random: send the page shown (answers valid, blank or
invalid), send it as another page (order jumps, forms from other tabs),
Back, open the saved link (with or without ``?page=``), open the shared
link again, replay an earlier POST, and switch device (no session, no
cookies). After each run every response it created is checked against the
survey's own rules, read back from the database.

CI runs the same examples every time (derandomized, no example database).
``SUARA_HYPOTHESIS_EXPLORE=1`` searches fresh examples, more of them.
"""

from __future__ import annotations

import os
from html import unescape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from surveyapp.extensions import db
from surveyapp.questions import get_type
from surveyapp.responses import answering
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.models import Survey
from surveyapp.surveys.visibility import visible
from tests.collect.helpers import (
    ACTION_RE,
    document,
    hidden_fields,
    make_survey,
    options,
    scored,
    sheet_and_answers,
    text,
)

EXPLORE = os.environ.get("SUARA_HYPOTHESIS_EXPLORE") == "1"
RESIDENT_SETTINGS = settings(
    max_examples=400 if EXPLORE else 60,
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Page 1: uses (required); why_not (required, shown on the same page for "no").
# Page 2, only for clinic users: a required matrix and a required ranking.
# Page 3: a required age, a whole number from 10 to 120.
# Page 4, only above 60: a required yes/no.
SURVEY = document(
    [
        [
            {"code": "uses", "type": "yes_no", "required": True, "title": text("Do you use the clinic?")},
            {
                "code": "why_not",
                "type": "short_text",
                "required": True,
                "title": text("Why not?"),
                "logic": {"question": "uses", "op": "equals", "value": "no"},
            },
        ],
        {
            "logic": {"question": "uses", "op": "equals", "value": "yes"},
            "questions": [
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
        },
        [
            {
                "code": "age",
                "type": "number",
                "required": True,
                "title": text("Your age"),
                "settings": {"integer": True, "min": 10, "max": 120},
            }
        ],
        {
            "logic": {"question": "age", "op": "gt", "value": 60},
            "questions": [
                {"code": "helper", "type": "yes_no", "required": True, "title": text("Does someone help you?")},
            ],
        },
    ]
)
PAGE_CODES = {1: "uses why_not", 2: "grid rank", 3: "age", 4: "helper"}

# Each field's choices, a valid one first (hypothesis shrinks towards it).
ANY_ANSWERS = st.fixed_dictionaries(
    {
        "q-uses": st.sampled_from(["yes", "no", "", "maybe"]),
        "q-why_not": st.sampled_from(["Jauh", ""]),
        "grid": st.sampled_from(
            [
                {"q-grid-water": "good", "q-grid-road": "bad"},
                {"q-grid-water": "good"},
                {"q-grid-water": "excellent", "q-grid-road": "bad"},
                {},
            ]
        ),
        "rank": st.sampled_from(
            [
                {"q-rank-x": "1", "q-rank-y": "2"},
                {"q-rank-x": "2", "q-rank-y": "1"},
                {"q-rank-x": "1", "q-rank-y": "1"},
                {},
            ]
        ),
        "q-age": st.sampled_from(["41", "70", "", "5", "200", "abc", "41.5"]),
        "q-helper": st.sampled_from(["yes", "no", ""]),
    }
)
GOOD = {
    "q-uses": "yes",
    "q-why_not": "",
    "grid": {"q-grid-water": "good", "q-grid-road": "bad"},
    "rank": {"q-rank-x": "1", "q-rank-y": "2"},
    "q-age": "41",
    "q-helper": "",
}
WELL_ANSWERED = [GOOD, {**GOOD, "q-age": "70", "q-helper": "yes"}, {**GOOD, "q-uses": "no", "q-why_not": "Jauh"}]
# One drawn step: what to do, then its arguments (flat, so every example
# is a list of small tuples that hypothesis shrinks well). Sending is the
# usual step. The page sent is the one shown (None) or any page's number
# (a form from another tab, a hand-made POST): most paths skip pages.
# Answers are mostly a resident who answers well, sometimes anything.
STEP = st.tuples(
    st.sampled_from(["send"] * 5 + ["back", "resume", "start", "replay", "device"]),
    st.one_of(st.sampled_from(WELL_ANSWERED), ANY_ANSWERS),
    st.sampled_from([None, 1, 2, 3, 4]),
    st.integers(0, 20),
)
ACTIONS = st.lists(STEP, min_size=4, max_size=12)


def form_fields(answers: dict) -> dict:
    fields = {}
    for key, value in answers.items():
        fields.update(value if isinstance(value, dict) else {key: value})
    return fields


class Run:
    """One resident's browser, driven by the drawn actions."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token
        self.client = app.test_client()
        self.posts: list[tuple[str, dict]] = []
        self.resume: str | None = None
        self.html = ""
        self.get(f"/s/{token}")

    def _arrive(self, reply) -> None:
        for _ in range(4):  # a POST's 303, then perhaps the start page's 303 to the saved link
            assert reply.status_code < 500, reply.get_data(as_text=True)[:2000]
            if reply.status_code not in (302, 303):
                break
            reply = self.client.get(reply.headers["Location"])
        assert reply.status_code < 500, reply.get_data(as_text=True)[:2000]
        self.html = reply.get_data(as_text=True)
        resume = hidden_fields(self.html).get("resume")
        if resume:
            self.resume = resume

    def get(self, url: str) -> None:
        self._arrive(self.client.get(url))

    def post(self, url: str, data: dict) -> None:
        self.posts.append((url, data))
        self._arrive(self.client.post(url, data=data))

    def act(self, step: tuple) -> None:
        kind, answers, page, index = step
        form = ACTION_RE.search(self.html)
        if kind in ("send", "back"):
            if form is None:  # a thank-you or closed page: nothing to send
                return
            data = {**hidden_fields(self.html), "action": "next" if kind == "send" else "back"}
            if kind == "send":
                data.update(form_fields(answers))
                if page is not None:  # this page's form sent as another page
                    data.update(page=str(page), shown=PAGE_CODES[page])
            self.post(unescape(form.group(1)), data)
        elif kind == "resume" and self.resume:
            self.get(f"/s/{self.token}/r/{self.resume}" + (f"?page={page}" if page else ""))
        elif kind == "start":
            self.get(f"/s/{self.token}")
        elif kind == "replay" and self.posts:
            url, data = self.posts[index % len(self.posts)]
            self.post(url, dict(data))
        elif kind == "device":
            self.client = self.app.test_client()
            self.get(f"/s/{self.token}")


def satisfies(survey: Survey, raws: dict) -> list[str]:
    """What is wrong with ``raws`` as a complete response, by the survey's
    own per-question rules (empty when nothing)."""
    problems = []
    pages = visible(survey, raws)
    shown = {q.code for p in pages for q in p.questions}
    for entry in pages:
        for question in entry.questions:
            raw = raws.get(question.code)
            if question.required and get_type(question.type).takes_answer and get_type(question.type).is_empty(raw):
                problems.append(f"{question.code}: required, missing")
            message = answering.error_for(question, raw)
            if message:
                problems.append(f"{question.code}: {message}")
    problems += [f"{code}: answer to a hidden question kept" for code in set(raws) - shown]
    return problems


def check_invariants(survey_id: int, after_id: int) -> None:
    db.session.expire_all()
    survey = db.session.get(Survey, survey_id)
    rows = db.session.execute(
        db.select(Response.id, Response.submission_id, Response.status).where(
            Response.survey_id == survey_id, Response.id > after_id
        )
    ).all()
    assert len({r.submission_id for r in rows}) == len(rows), "a submission stored twice"
    for response_id, _submission, status in rows:
        doubled = db.session.execute(
            db.select(Answer.question_id, Answer.option_id, Answer.item_id)
            .where(Answer.response_id == response_id)
            .group_by(Answer.question_id, Answer.option_id, Answer.item_id)
            .having(db.func.count() > 1)
        ).all()
        assert not doubled, f"response {response_id}: answer rows stored twice {doubled}"
        if status != "complete":
            continue
        raws = answering.stored_raws(survey, response_id)
        assert satisfies(survey, raws) == [], (response_id, raws)
        sheet, answers = sheet_and_answers(response_id)
        assert sheet == answers, f"response {response_id}: its sheet differs from its answers"


@pytest.fixture
def open_survey(app, world):
    """One survey for all examples, rate limits out of the way (every
    request comes from the same test address)."""
    limits = {key: app.config.get(key) for key in ("RESPOND_RATE_LIMIT", "RESPOND_LINK_RATE_LIMIT")}
    app.config.update(RESPOND_RATE_LIMIT="100000 per minute", RESPOND_LINK_RATE_LIMIT="100000 per minute")
    yield make_survey(world.org, SURVEY)
    for key, value in limits.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


# Issue 12, defect 1, always tried: page 1, Back on page 2, page 2 again
# with an error, the saved link, then send what it shows.
ISSUE_12_PATH = [
    ("send", GOOD, None, 0),
    ("back", GOOD, None, 0),
    ("send", {**GOOD, "rank": {}}, 2, 0),
    ("resume", GOOD, None, 0),
    ("send", GOOD, None, 0),
]


@RESIDENT_SETTINGS
@given(actions=ACTIONS)
@example(actions=ISSUE_12_PATH)
def test_a_complete_response_always_satisfies_its_survey(app, open_survey, actions):
    survey_id, token = open_survey.id, open_survey.public_token
    after_id = db.session.execute(db.select(db.func.coalesce(db.func.max(Response.id), 0))).scalar_one()
    run = Run(app, token)
    for step in actions:
        run.act(step)
    check_invariants(survey_id, after_id)


def test_the_invariant_check_sees_a_gap(ctx, world):
    """The checker itself: page 2's required answers missing is a problem."""
    survey = make_survey(world.org, SURVEY)
    raws = {"uses": {"choice": "yes", "other": ""}, "age": "41"}
    assert {p.split(":")[0] for p in satisfies(survey, raws)} == {"grid", "rank"}
