"""The completion pipeline (surveyapp/jobs/completion.py): one job after the
commit that completes a response folds the tally, copies programme feedback
and queues webhooks; reads meeting a backlog give the same figures without
writing, and only with background work off catch up themselves."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.analytics import tally
from surveyapp.analytics.summary import build_summary
from surveyapp.extensions import db
from surveyapp.jobs import completion, jobs_for
from surveyapp.programmes.metrics import compute_set
from surveyapp.programmes.models import FeedbackItem
from surveyapp.programmes.windows import parse_window
from surveyapp.responses import services, tokens
from surveyapp.responses.models import Response
from tests import factories
from tests.programmes import builders as programmes
from tests.results import builders as results

NOW = datetime(2026, 7, 20, 12, 0)


def unfolded(survey_id: int) -> int:
    db.session.expire_all()
    return db.session.execute(
        select(func.count()).where(
            Response.survey_id == survey_id, Response.status == "complete", Response.tally_batch.is_(None)
        )
    ).scalar_one()


def items(programme_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(FeedbackItem).where(FeedbackItem.programme_id == programme_id)
    ).scalar_one()


@pytest.fixture
def light(world, ctx):
    return programmes.light_programme(world.org)


def test_a_completion_runs_the_pipeline_after_its_commit(light):
    survey = light.wave1
    survey.status = "open"
    db.session.commit()
    before = items(light.programme.id)
    raws = {"overall": "5", "recommend": 10, "comment": "Terima kasih atas lampunya"}
    response = services.submit_complete(survey, raws, tokens.new_submission_id(), "api", "id")
    # The immediate test queue ran the job after the commit: folded, copied, sheet stored.
    assert unfolded(survey.id) == 0
    assert (
        tally.state(survey.id)[0]
        == db.session.execute(
            select(func.count()).where(Response.survey_id == survey.id, Response.status == "complete")
        ).scalar_one()
    )
    assert items(light.programme.id) == before + 1
    assert db.session.get(Response, response.id).sheet is not None
    # Running it again changes nothing.
    completion.run_pipeline([survey.id])
    assert items(light.programme.id) == before + 1 and unfolded(survey.id) == 0


def test_a_rolled_back_completion_enqueues_nothing(light, monkeypatch):
    queued = []
    monkeypatch.setattr(jobs_for().tasks, "complete", lambda ids: queued.append(ids))
    db.session.execute(select(1))  # inside a transaction, as every completion is
    completion.note(light.wave1.id)
    db.session.rollback()
    db.session.commit()
    assert queued == []
    completion.note(light.wave1.id)
    db.session.commit()
    assert queued == [[light.wave1.id]]


def test_a_summary_with_a_backlog_reads_live_and_writes_nothing(world, ctx):
    survey = results.survey(world.org)
    for score in ("4", "5", "2"):
        factories.respond(survey, {"overall": score, "comment": "Jalan rusak"})
    tally.fold(survey.id)
    factories.respond(survey, {"overall": "1", "comment": "Belum dihitung"})  # past the services: a backlog
    assert unfolded(survey.id) == 1
    document = build_summary(survey, now=NOW)
    assert unfolded(survey.id) == 1  # not folded by the read
    live = build_summary(survey, now=NOW, live=True)
    document.pop("generated_at"), live.pop("generated_at")
    assert document["n"] == 4
    assert json.dumps(document, sort_keys=True) == json.dumps(live, sort_keys=True)
    tally.fold(survey.id)
    folded = build_summary(survey, now=NOW)
    folded.pop("generated_at")
    assert json.dumps(folded, sort_keys=True) == json.dumps(live, sort_keys=True)


def test_a_fresh_backlog_is_left_to_the_job_an_old_one_read_live(app, world, ctx):
    """While collection runs there is nearly always a response or two the
    completion job has not folded yet; reading the whole survey live for them
    cost seconds at 100k responses. A backlog younger than TALLY_GRACE_SECONDS
    is the job's to fold: the summary reads the tally (the newest responses
    follow within the grace); an older one means no worker folds, so it is
    read live."""
    survey = results.survey(world.org)
    factories.respond(survey, {"overall": "4"}, submitted_at=NOW)
    tally.fold(survey.id)
    app.config["TALLY_GRACE_SECONDS"] = 120
    try:
        factories.respond(survey, {"overall": "2"}, submitted_at=NOW)  # just completed, not yet folded
        assert build_summary(survey, now=NOW)["n"] == 1
        assert build_summary(survey, now=NOW + timedelta(seconds=121))["n"] == 2
        assert unfolded(survey.id) == 1  # neither read folded
    finally:
        app.config["TALLY_GRACE_SECONDS"] = 0
    assert build_summary(survey, now=NOW)["n"] == 2  # no grace (the tests' setting): always exact


def test_without_background_work_a_summary_folds_the_backlog_itself(app, world, ctx, monkeypatch):
    monkeypatch.setattr(jobs_for(), "backend", "off")
    survey = results.survey(world.org)
    factories.respond(survey, {"overall": "4"})
    assert unfolded(survey.id) == 1
    assert build_summary(survey, now=NOW)["n"] == 1
    assert unfolded(survey.id) == 0


def test_the_metric_set_counts_feedback_not_yet_copied(light):
    window = parse_window("2026-07")
    factories.respond(light.wave1, {"overall": "5", "comment": "Bagus sekali"}, submitted_at=programmes.JULY)
    before = items(light.programme.id)
    pending = {m["code"]: m for m in compute_set(light.programme, window, trend=0)["metrics"]}
    assert items(light.programme.id) == before  # the read copied nothing
    completion.run_pipeline([light.wave1.id])
    assert items(light.programme.id) == before + 1
    copied = {m["code"]: m for m in compute_set(light.programme, window, trend=0)["metrics"]}
    for code in ("M9", "M10"):
        assert pending[code]["value"] == copied[code]["value"], code
        assert pending[code]["details"] == copied[code]["details"], code


def test_opening_an_invitation_is_recorded_by_a_job(world, ctx, monkeypatch):
    from surveyapp.collect.models import SurveyInvitation
    from surveyapp.distribute import invitations

    survey = results.survey(world.org)
    invitation = SurveyInvitation(survey_id=survey.id, name="Budi", token_hash="h" * 64)
    db.session.add(invitation)
    db.session.commit()
    queued = []
    real = jobs_for().tasks.invitation_opened
    monkeypatch.setattr(jobs_for().tasks, "invitation_opened", lambda *args: queued.append(args))
    invitations.mark_opened(invitation)
    db.session.expire_all()
    assert db.session.get(SurveyInvitation, invitation.id).opened_at is None  # the request wrote nothing
    [(invitation_id, at)] = queued
    real(invitation_id, at)  # the job
    db.session.expire_all()
    assert db.session.get(SurveyInvitation, invitation.id).opened_at == datetime.fromisoformat(at)


def test_the_redis_backend_runs_jobs_from_a_consumer(app, world, ctx):
    """Production's queue: RedisHuey on REDIS_URL, consumed by a thread here
    (``flask jobs worker`` runs the same consumer in its own process)."""
    import time
    import uuid

    import redis

    from surveyapp import jobs
    from surveyapp.collect.models import SurveyInvitation

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    survey = results.survey(world.org)
    invitation = SurveyInvitation(survey_id=survey.id, name="Citra", token_hash="r" * 64)
    db.session.add(invitation)
    db.session.commit()
    saved = app.extensions[jobs.EXTENSION]
    saved_config = {k: app.config[k] for k in ("JOBS_BACKEND", "REDIS_URL", "JOBS_QUEUE_NAME") if k in app.config}
    app.config.update(JOBS_BACKEND="redis", REDIS_URL=url, JOBS_QUEUE_NAME=f"suara-test-{uuid.uuid4().hex[:8]}")
    queue = jobs.Jobs(app)
    app.extensions[jobs.EXTENSION] = queue
    try:
        queue.tasks.invitation_opened(invitation.id, "2026-07-20T08:00:00")
        db.session.expire_all()
        assert db.session.get(SurveyInvitation, invitation.id).opened_at is None  # queued, not run
        queue.start_consumer()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(SurveyInvitation, invitation.id).opened_at is not None:
                break
            db.session.commit()
            time.sleep(0.1)
        assert db.session.get(SurveyInvitation, invitation.id).opened_at == datetime(2026, 7, 20, 8, 0)
    finally:
        queue.stop_consumer()
        queue.huey.flush()
        app.extensions[jobs.EXTENSION] = saved
        app.config.pop("JOBS_QUEUE_NAME", None)
        app.config.update(saved_config)
