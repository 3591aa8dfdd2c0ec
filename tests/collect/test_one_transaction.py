"""A one-page submission is written in one short transaction, and every
exactly-once rule still holds on that path (resends, races, full surveys,
one response per browser)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from surveyapp.database import begin_write
from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from tests.collect.helpers import (
    answer_count,
    document,
    hidden_fields,
    make_survey,
    options,
    responses,
    sheet_and_answers,
    text,
)
from tests.concurrency import run_concurrently


def one_page_document() -> dict:
    return document(
        [
            [
                {
                    "code": "colour",
                    "type": "single_choice",
                    "required": True,
                    "title": text("Colour?"),
                    "options": options("red", "blue"),
                },
                {
                    "code": "fruit",
                    "type": "multiple_choice",
                    "title": text("Fruit?"),
                    "options": options("apple", "mango"),
                },
                {"code": "age", "type": "number", "title": text("Age")},
            ]
        ]
    )


def first_form(client, survey, **answers) -> dict:
    page = client.get(f"/s/{survey.public_token}")
    return {**hidden_fields(page.get_data(as_text=True)), "action": "next", **answers}


ANSWERS = {"q-colour": "blue", "q-fruit": ["apple", "mango"], "q-age": "41"}


class StatementLog:
    """SQL statements and commits on the app's engine, in order."""

    def __init__(self, engine):
        self.engine = engine
        self.entries: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args):
        self.entries.append(" ".join(statement.split()).upper())

    def _commit(self, _conn):
        self.entries.append("COMMIT")


def test_the_response_its_answers_and_completion_share_one_transaction(client, world):
    survey = make_survey(world.org, one_page_document())
    form = first_form(client, survey, **ANSWERS)
    with StatementLog(db.engine) as log:
        sent = client.post(f"/s/{survey.public_token}", data=form)
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    first_commit = log.entries.index("COMMIT")
    transaction = log.entries[:first_commit]
    # Both inserts come before the first commit: nobody can see a response
    # without its answers, or a partial one.
    assert any(s.startswith("INSERT INTO RESPONSES") for s in transaction), log.entries
    assert any(s.startswith("INSERT INTO ANSWERS") for s in transaction), log.entries
    assert not any(s.startswith("UPDATE") for s in transaction), log.entries
    # The structure came from the cache (it was loaded for the GET): one
    # key read, the lock (SQLite), "did this browser answer before?" (the
    # duplicate flag), the two inserts (the answer sheet rides in the first).
    assert len(transaction) <= 5, transaction
    [response] = responses(survey.id)
    assert response.status == "complete" and response.last_page == 1
    assert response.submitted_at is not None and response.duration_seconds is not None
    assert answer_count(response.id) == 4  # colour, apple, mango, age
    assert sheet_and_answers(response.id)[0] == sheet_and_answers(response.id)[1]
    values = sorted(
        db.session.execute(db.select(Answer.value_num).where(Answer.response_id == response.id)).scalars(),
        key=lambda v: (v is None, v),
    )
    assert 41 in values


def test_a_resend_of_a_completed_one_page_response_gets_thanks_and_stores_nothing(client, world):
    survey = make_survey(world.org, one_page_document())
    form = first_form(client, survey, **ANSWERS)
    one = client.post(f"/s/{survey.public_token}", data=form)
    two = client.post(f"/s/{survey.public_token}", data={**form, "q-colour": "red"})
    assert one.status_code == two.status_code == 303
    assert one.headers["Location"] == two.headers["Location"]
    [response] = responses(survey.id)
    assert answer_count(response.id) == 4
    # Even a resend with answers that would now fail validation is thanked.
    three = client.post(f"/s/{survey.public_token}", data={**form, "q-colour": ""})
    assert three.status_code == 303 and "/thanks" in three.headers["Location"]


def test_a_resend_after_the_survey_filled_up_gets_thanks(client, world):
    survey = make_survey(world.org, one_page_document(), response_cap=1)
    form = first_form(client, survey, **ANSWERS)
    assert client.post(f"/s/{survey.public_token}", data=form).status_code == 303
    again = client.post(f"/s/{survey.public_token}", data=form)
    assert again.status_code == 303 and "/thanks" in again.headers["Location"]
    # A new resident is told the survey is full; nothing is stored for them.
    late = client.post(f"/s/{survey.public_token}", data=first_form(client, survey, **ANSWERS))
    assert late.status_code == 410
    assert len(responses(survey.id)) == 1


def test_a_resend_from_the_same_browser_of_a_once_per_browser_survey_gets_thanks(client, world):
    survey = make_survey(world.org, one_page_document(), settings={"one_per_browser": True})
    form = first_form(client, survey, **ANSWERS)
    assert client.post(f"/s/{survey.public_token}", data=form).status_code == 303
    again = client.post(f"/s/{survey.public_token}", data=form)
    assert again.status_code == 303 and "/thanks" in again.headers["Location"]
    assert len(responses(survey.id)) == 1


def test_a_submission_id_of_another_survey_is_refused(client, world):
    survey = make_survey(world.org, one_page_document())
    other = make_survey(world.org, one_page_document())
    form = first_form(client, survey, **ANSWERS)
    assert client.post(f"/s/{survey.public_token}", data=form).status_code == 303
    # The same id with a valid token for the other survey hits the unique
    # submission id: refused, nothing stored for the other survey.
    from surveyapp.responses import tokens

    forged = {**form, "form_token": tokens.form_token(other.id, form["submission_id"])}
    refused = client.post(f"/s/{other.public_token}", data=forged)
    assert refused.status_code == 400
    assert responses(other.id) == []


def test_racing_one_page_submits_complete_one_response(app, client, world):
    survey = make_survey(world.org, one_page_document())
    form = first_form(client, survey, **ANSWERS)
    url = f"/s/{survey.public_token}"

    def post(own):
        reply = own.post(url, data=form)
        return reply.status_code, reply.headers.get("Location")

    replies = run_concurrently(app, post, 6, prepare=app.test_client)
    assert len(replies) == 6
    assert {status for status, _ in replies} == {303}
    assert len({location for _, location in replies}) == 1 and "/thanks" in replies[0][1]
    [response] = responses(survey.id)
    assert response.status == "complete"
    assert answer_count(response.id) == 4


def test_begin_write_takes_the_sqlite_write_lock_before_any_read(app, world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL callers lock rows themselves")
    import sqlite3

    holder = db.session
    begin_write(holder)
    try:
        other = sqlite3.connect(db.engine.url.database, timeout=0.05)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        holder.rollback()
    other = sqlite3.connect(db.engine.url.database, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
