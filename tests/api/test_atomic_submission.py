"""An API submission is all or nothing: a worker killed mid-write leaves no
response behind, and a resend of a half-written submission id completes it
and says so (docs/api.md, "Submitting a response")."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from surveyapp.api import tokens
from surveyapp.extensions import db
from surveyapp.responses import services
from surveyapp.responses.models import Answer, Response
from tests.api.test_api import OPENAPI, auth, conforms, documented
from tests.collect.test_one_transaction import StatementLog
from tests.exports import data

ANSWERS = {
    "gender": "f",
    "services": ["clinic", "school"],
    "age": 30,
    "aspects": {"speed": "4"},
    "priorities": {"roads": 1, "water": 2, "light": 3},
}


class Killed(RuntimeError):
    """Stands in for a worker killed between two statements."""


@pytest.fixture
def api(world, ctx):
    survey = data.survey(world.org)
    survey.status = "open"
    db.session.commit()
    _token, write = tokens.create(world.org.id, world.owner.id, "writer", "write")
    return {"survey": survey, "write": write, "url": f"/api/v1/surveys/{survey.id}/responses"}


def count(model) -> int:
    db.session.rollback()  # read what is committed, not this session's leftovers
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def kill_at_answer_insert():
    """Raise at the first INSERT INTO answers, after the response row was
    sent to the database (inserted or flushed) in the same request."""
    engine = db.engine
    seen = []

    def before(_conn, _cursor, statement, *_args):
        text = " ".join(statement.split()).upper()
        seen.append(text)
        if text.startswith("INSERT INTO ANSWERS"):
            assert any(s.startswith(("INSERT INTO RESPONSES", "UPDATE RESPONSES")) for s in seen), seen
            raise Killed("worker killed while writing the answers")

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


def test_a_kill_while_writing_the_answers_leaves_no_response(client, api, kill_at_answer_insert):
    body = {"submission_id": str(uuid.uuid4()), "language": "en", "answers": ANSWERS}
    try:
        sent = client.post(api["url"], json=body, headers=auth(api["write"]))
    except Killed:  # propagated by the test app
        pass
    else:  # answered by the JSON error handler
        assert sent.status_code == 500
    assert count(Response) == 0 and count(Answer) == 0


def test_the_response_row_and_its_answers_commit_together(client, api):
    body = {"submission_id": str(uuid.uuid4()), "language": "en", "answers": ANSWERS}
    with StatementLog(db.engine) as log:
        sent = client.post(api["url"], json=body, headers=auth(api["write"]))
    assert sent.status_code == 201, sent.json
    writes = [s for s in log.entries if s.startswith(("INSERT", "UPDATE", "DELETE", "COMMIT"))]
    first_commit = writes.index("COMMIT")
    assert writes[0].startswith("INSERT INTO RESPONSES"), writes
    assert any(s.startswith("INSERT INTO ANSWERS") for s in writes[:first_commit]), writes
    [response] = db.session.execute(db.select(Response)).scalars()
    assert response.status == "complete" and response.channel == "api"


def _half_written(survey, submission_id: str, channel: str) -> Response:
    """An incomplete response with no answers, as an older version left
    when its worker was killed (or the web flow after its first GET)."""
    response, _created = services.start_response(survey, submission_id, channel=channel, language="id")
    return response


@pytest.mark.parametrize("channel", ["api", "link"])
def test_a_resend_of_a_half_written_submission_completes_it_and_says_so(client, api, channel):
    submission_id = str(uuid.uuid4())
    partial = _half_written(api["survey"], submission_id, channel)
    body = {"submission_id": submission_id, "language": "en", "answers": ANSWERS}
    sent = client.post(api["url"], json=body, headers=auth(api["write"]))
    assert sent.status_code == 201, sent.json
    conforms(sent.json, documented("/surveys/{survey_id}/responses", "post", 201))
    assert sent.json["created"] is True and sent.json["response_id"] == partial.id
    assert sent.json["note"] and "incomplete" in sent.json["note"]
    assert count(Response) == 1
    stored = db.session.get(Response, partial.id)
    assert stored.status == "complete" and stored.language == "en"
    assert count(Answer) == 8  # gender, clinic, school, age, speed, roads, water, light
    # ...and a further resend is the plain idempotent answer.
    again = client.post(api["url"], json=body, headers=auth(api["write"]))
    assert again.status_code == 200 and again.json["created"] is False and "note" not in again.json
    assert again.json["response_id"] == partial.id


def test_a_resend_of_a_complete_submission_is_200_created_false(client, api):
    body = {"submission_id": str(uuid.uuid4()), "language": "en", "answers": ANSWERS}
    first = client.post(api["url"], json=body, headers=auth(api["write"]))
    assert first.status_code == 201 and first.json["created"] is True and "note" not in first.json
    again = client.post(api["url"], json={**body, "answers": {"gender": "m"}}, headers=auth(api["write"]))
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["response_id"] == first.json["response_id"]
    conforms(again.json, documented("/surveys/{survey_id}/responses", "post", 200))
    assert count(Response) == 1


def test_the_document_describes_the_note():
    result = OPENAPI["components"]["schemas"]["SubmissionResult"]
    assert "note" in result["properties"] and "note" not in result["required"]
