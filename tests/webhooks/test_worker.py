"""Webhooks sent by jobs on a real queue (Huey on a SQLite file, consumed by
a thread in this process as under `make run`): prompt, never in the
resident's request, retries with growing pauses, survives errors, catches
up responses stored elsewhere; and the cron command with jobs off."""

from __future__ import annotations

import time

import pytest

from surveyapp import create_app, jobs
from surveyapp.extensions import db
from surveyapp.webhooks import delivery
from surveyapp.webhooks import services as webhook_services
from surveyapp.webhooks.models import WebhookDelivery
from tests import factories
from tests.collect.helpers import Resident, make_survey
from tests.conftest import get_csrf, login
from tests.webhooks.test_delivery import deliveries


def wait_until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    return check()


def finish_survey(client, survey) -> tuple[float, float]:
    """Answer the clinic survey; returns when the final submit was sent and answered."""
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "8"})
    started = time.monotonic()
    sent = resident.send({"q-age": "41"}, follow=False)
    finished = time.monotonic()
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    return started, finished


def test_no_consumer_starts_in_the_test_app_unless_asked(app, client, world):
    client.get("/")
    queue = jobs.jobs_for(app)
    assert queue.backend == "immediate" and not queue.in_process and queue._consumer is None


def test_the_job_sends_promptly_without_making_the_resident_wait(app, client, world, receiver, worker_mode):
    receiver.delay = 3.0  # a slow receiver: the resident must not wait for it
    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    started, finished = finish_survey(client, survey)
    assert worker_mode.alive and worker_mode._consumer is not None  # started by the first request
    assert all(thread.daemon for _w, thread in worker_mode._consumer.worker_threads)
    assert finished - started < 2.5  # well under the receiver's 3 s: the request did not wait
    assert receiver.wait_for(1, timeout=5)
    assert receiver.calls[0][2] - finished < 3.0  # typically ~0.2 s; generous for a busy machine
    assert wait_until(lambda: [r.status for r in deliveries()] == ["delivered"])


def test_a_failing_endpoint_is_retried_with_growing_pauses_then_shown_as_given_up(
    app, client, world, receiver, worker_mode
):
    receiver.status = 500
    hook = webhook_services.create(world.org.id, None, receiver.url)
    finish_survey(client, make_survey(world.org))
    assert receiver.wait_for(4, timeout=20)  # WEBHOOK_MAX_ATTEMPTS = 4 in worker_mode
    times = [at for _h, _b, at in receiver.calls]
    pauses = [b - a for a, b in zip(times, times[1:])]
    base = app.config["WEBHOOK_RETRY_BASE_SECONDS"]
    nominal = [base * 2 ** (n - 1) for n in (1, 2, 3)]
    # Never earlier than the back-off less its 20 % jitter; later only by
    # scheduling noise (generous: the test machine may be busy).
    assert all(0.8 * w - 0.05 <= p <= 1.2 * w + 1.5 for p, w in zip(pauses, nominal)), pauses
    assert pauses[2] > pauses[0] + base, pauses  # 4× the first pause: the pauses grow
    [row] = wait_until(lambda: [r for r in deliveries() if r.status == "failed"])
    assert (row.attempts, row.last_status_code, row.last_error) == (4, 500, "HTTP 500")
    time.sleep(0.6)
    assert len(receiver.calls) == 4  # no fifth attempt

    login(client, "owner@mawar.test")
    page = client.get("/org/webhooks").get_data(as_text=True)
    assert "Gave up" in page and "HTTP 500" in page and "<td>4</td>" in page
    assert "0 delivered, 0 waiting, 1 gave up" in page

    # The owner fixes the receiver and sends the failed one again.
    receiver.status = 200
    again = client.post(f"/org/webhooks/{hook.id}/retry", data={"csrf_token": get_csrf(client, "/org/webhooks")})
    assert again.status_code == 303
    assert receiver.wait_for(5, timeout=3)
    [row] = wait_until(lambda: [r for r in deliveries() if r.status == "delivered"])
    assert row.attempts == 1
    assert "1 delivered, 0 waiting, 0 gave up" in client.get("/org/webhooks").get_data(as_text=True)


def test_a_failing_job_is_retried_and_the_consumer_goes_on(app, client, world, receiver, worker_mode, monkeypatch):
    real = delivery.send_due
    calls = []

    def flaky(limit=100):
        calls.append(limit)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(limit)

    monkeypatch.setattr(delivery, "send_due", flaky)
    webhook_services.create(world.org.id, None, receiver.url)
    finish_survey(client, make_survey(world.org))
    assert wait_until(lambda: len(calls) >= 1)
    worker_mode.tasks.send_webhooks()  # the next job (a retry, a completion, the catch-up) sends it
    assert receiver.wait_for(1, timeout=6)
    assert worker_mode.alive and len(calls) >= 2


def test_the_catch_up_job_finds_responses_stored_by_other_processes(app, world, receiver, worker_mode):
    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    factories.respond(survey, {}, submitted_at=delivery.utcnow(), check=False)  # past the services: no completion job
    time.sleep(0.3)
    assert receiver.calls == []
    worker_mode.start_consumer()  # the scheduler enqueues the catch-up at start, then every minute
    assert receiver.wait_for(1, timeout=5)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(WebhookDelivery)).scalar_one() == 1


def test_stopping_the_consumer_is_prompt(app, world, worker_mode):
    worker_mode.start_consumer()
    assert worker_mode.alive
    started = time.monotonic()
    worker_mode.stop_consumer()
    assert not worker_mode.alive and time.monotonic() - started < 3


def test_off_leaves_delivery_to_the_cron_command(app, runner, world, receiver, monkeypatch):
    monkeypatch.setattr(jobs.jobs_for(app), "backend", "off")
    webhook_services.create(world.org.id, None, receiver.url)
    factories.respond(make_survey(world.org), {}, submitted_at=delivery.utcnow(), check=False)
    assert receiver.calls == [] and deliveries() == []
    result = runner.invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0 and "1 delivered, 0 failed" in result.output
    assert len(receiver.calls) == 1
    assert db.session.execute(db.select(WebhookDelivery.status)).scalar_one() == "delivered"


def test_an_unknown_jobs_backend_fails_at_start():
    with pytest.raises(RuntimeError, match="JOBS_BACKEND"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", JOBS_BACKEND="cron")
