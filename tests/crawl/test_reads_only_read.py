"""Reads only read: every GET endpoint of the app, visited with the least
role that may use it, against an organisation with a backlog of catching-up
(complete responses not yet folded into the tally, complete responses
without an answer sheet, programme feedback answers not yet copied into
feedback items), issues no INSERT, UPDATE, DELETE or CREATE.

The catching-up belongs to the completion pipeline (surveyapp/jobs/): a GET
that does it itself makes a viewer, a read-only API token or a crawler
write, and serialises readers behind SQLite's one writer. A GET may enqueue
a job (the queue is not the app's database): here the queue is one nobody
consumes during the crawl, so a job would not run inside the request as it
does in the other tests. The wrapper is a ``before_cursor_execute`` listener
on the app's engine, armed only while the test client handles one request.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from surveyapp import create_app
from surveyapp.extensions import db
from tests import factories

from .access_registry import EDITOR, LOGIN, OWNER, PUBLIC, TOKEN_READ, TOKEN_WRITE, VIEWER, needed
from .crawler import Crawl, build

WRITES = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE|REPLACE)\b", re.I | re.S)
# The one write a read may make: a download of responses is an organiser
# action the audit log keeps (issue 16 item 9), appended in its own statement.
AUDIT_APPEND = re.compile(r"^\s*INSERT INTO audit_events\b", re.I)
AUDITED_DOWNLOADS = {
    "exports.export_csv",
    "exports.export_jsonl",
    "exports.export_xlsx",
    "exports.export_sav",
    "api.export_responses",
}
# The least role's visitor for each access level (tests/crawl/world.py).
VISITOR = {
    PUBLIC: "anonymous",
    LOGIN: "viewer",
    VIEWER: "viewer",
    TOKEN_READ: "viewer",  # holds the read-only API token
    TOKEN_WRITE: "editor",
    EDITOR: "editor",
    OWNER: "owner",
}


def _rules():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    return sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods), key=lambda r: r.rule)


GET_RULES = _rules()


class WriteWatch:
    """Records every writing statement sent while armed."""

    def __init__(self):
        self.armed = False
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        if self.armed and WRITES.match(statement):
            self.seen.append(" ".join(statement.split())[:200])

    @contextmanager
    def during(self):
        self.seen, self.armed = [], True
        try:
            yield self
        finally:
            self.armed = False


def make_backlog(world) -> dict:
    """Leave work the completion pipeline would do: one more complete
    response of each survey (never folded: the builders write past the
    services), sheets of two complete responses cleared, and a feedback
    answer of the programme's linked survey not yet copied."""
    from surveyapp.programmes.models import FeedbackItem
    from surveyapp.responses.models import Response
    from surveyapp.surveys.models import Survey
    from tests.programmes.builders import JULY

    survey = db.session.get(Survey, world.ids["survey_id"])
    wave = db.session.get(Survey, world.rows[Survey][1])
    factories.respond(survey, {"gender": "f", "overall": "5", "recommend": 10, "comment": "Belum dihitung"})
    items_before = db.session.execute(db.select(db.func.count(FeedbackItem.id))).scalar_one()
    factories.respond(wave, {"overall": "2", "comment": "Got di RW 2 tersumbat"}, submitted_at=JULY)
    complete = (
        db.session.execute(db.select(Response.id).where(Response.status == "complete").order_by(Response.id).limit(2))
        .scalars()
        .all()
    )
    db.session.execute(
        db.update(Response)
        .where(Response.id.in_(complete))
        .values(sheet=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    unfolded, unsheeted = backlog_counts()
    return {"unfolded": unfolded, "unsheeted": unsheeted, "feedback_items": items_before}


def backlog_counts() -> tuple[int, int]:
    """(complete responses not folded into the tally, complete responses without a sheet)."""
    return tuple(
        db.session.execute(text(f"SELECT COUNT(*) FROM responses WHERE status = 'complete' AND {missing}")).scalar_one()
        for missing in ("tally_batch IS NULL", "sheet IS NULL")
    )


@pytest.fixture(scope="module")
def reading(app):
    from surveyapp import jobs
    from surveyapp.extensions import limiter

    limiter.enabled = False
    saved_jobs = app.extensions[jobs.EXTENSION]
    deferred = jobs.Jobs(app)
    deferred.huey.immediate = False  # enqueued jobs wait in memory: none runs in a request
    app.extensions[jobs.EXTENSION] = deferred
    crawl = Crawl(app)
    with app.app_context():
        backlog = make_backlog(crawl.world)
    assert backlog["unfolded"] >= 3 and backlog["unsheeted"] >= 2
    watch = WriteWatch()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    yield crawl, watch, backlog
    event.remove(engine, "before_cursor_execute", watch)
    app.extensions[jobs.EXTENSION] = saved_jobs
    limiter.enabled = True
    app.logger.removeHandler(crawl.errors)
    from tests.conftest import empty_tables

    empty_tables(app)


@pytest.mark.parametrize("endpoint", [r.endpoint for r in GET_RULES])
def test_a_get_writes_nothing(reading, app, endpoint):
    crawl, watch, _backlog = reading
    rule = next(r for r in GET_RULES if r.endpoint == endpoint)
    level = needed(endpoint, "GET")
    visitor = crawl.visitors[VISITOR[level]]
    url = build(app, rule, crawl.world.values(endpoint, rule.arguments))
    with watch.during():
        outcome = crawl.send(visitor, "existing", "GET", url, endpoint=endpoint)
    assert outcome.status < 500, (url, outcome.error)
    audited = [s for s in watch.seen if AUDIT_APPEND.match(s)]
    writes = [s for s in watch.seen if not AUDIT_APPEND.match(s)]
    assert not writes, f"GET {url} as {visitor.name} wrote:\n" + "\n".join(writes)
    assert not audited or endpoint in AUDITED_DOWNLOADS, f"GET {url} wrote an audit event: {audited}"


def test_the_backlog_is_still_there_after_every_read(reading, app):
    """Run last in the module: the reads left the catching-up undone (and
    the pages above showed the right figures from it, see the feature tests)."""
    _crawl, _watch, backlog = reading
    with app.app_context():
        unfolded, unsheeted = backlog_counts()
        db.session.commit()
    assert (unfolded, unsheeted) == (backlog["unfolded"], backlog["unsheeted"])
