"""The background delivery thread (WEBHOOK_DELIVERY = "thread"): prompt,
never in the resident's request, retries with growing pauses, survives
errors, polls for responses stored elsewhere; and the cron command."""

from __future__ import annotations

import time

import pytest

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.webhooks import delivery, dispatch
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


def test_no_thread_starts_in_the_test_app_unless_asked(app, client, world):
    client.get("/")
    assert dispatch.dispatcher_for(app).mode == "inline"
    assert dispatch.dispatcher_for(app)._worker is None


def test_the_thread_sends_promptly_without_making_the_resident_wait(app, client, world, receiver, worker_mode):
    receiver.delay = 3.0  # a slow receiver: the resident must not wait for it
    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    started, finished = finish_survey(client, survey)
    worker = worker_mode._worker
    assert worker is not None and worker.alive and worker._thread.daemon  # started by the first request
    assert finished - started < 2.5  # well under the receiver's 3 s: the request did not wait
    assert receiver.wait_for(1, timeout=5)
    assert receiver.calls[0][2] - finished < 3.0  # typically ~0.1 s; generous for a busy machine
    assert wait_until(lambda: [r.status for r in deliveries()] == ["delivered"])


def test_a_failing_endpoint_is_retried_with_growing_pauses_then_shown_as_given_up(
    app, client, world, receiver, worker_mode
):
    receiver.status = 500
    hook = webhook_services.create(world.org.id, None, receiver.url)
    finish_survey(client, make_survey(world.org))
    assert receiver.wait_for(4, timeout=15)  # WEBHOOK_MAX_ATTEMPTS = 4 in worker_mode
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


def test_the_thread_survives_a_failing_pass(app, client, world, receiver, worker_mode, monkeypatch):
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
    assert receiver.wait_for(1, timeout=6)
    assert worker_mode._worker.alive and len(calls) >= 2


def test_the_thread_polls_for_responses_stored_by_other_processes(app, world, receiver, worker_mode):
    app.config["WEBHOOK_POLL_SECONDS"] = 0.5
    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    worker = worker_mode.start_worker()
    assert wait_until(lambda: worker.passes >= 1)
    worker_mode.mode = "off"  # as if another process stored it: no wake-up here
    factories.respond(survey, {}, submitted_at=delivery.utcnow(), check=False)
    worker_mode.mode = "thread"
    assert receiver.wait_for(1, timeout=3)


def test_stopping_the_thread_is_prompt(app, world, worker_mode):
    worker = worker_mode.start_worker()
    assert wait_until(lambda: worker.passes >= 1)
    started = time.monotonic()
    worker_mode.stop_worker()
    assert not worker.alive and time.monotonic() - started < 2


def test_off_leaves_delivery_to_the_cron_command(app, runner, world, receiver):
    dispatcher = dispatch.dispatcher_for(app)
    dispatcher.mode = "off"
    try:
        webhook_services.create(world.org.id, None, receiver.url)
        factories.respond(make_survey(world.org), {}, submitted_at=delivery.utcnow(), check=False)
        assert receiver.calls == [] and deliveries() == []
        result = runner.invoke(args=["webhooks", "deliver"])
        assert result.exit_code == 0 and "1 delivered, 0 failed" in result.output
        assert len(receiver.calls) == 1
        assert db.session.execute(db.select(WebhookDelivery.status)).scalar_one() == "delivered"
    finally:
        dispatcher.mode = "inline"


def test_an_unknown_delivery_mode_fails_at_start():
    with pytest.raises(RuntimeError, match="WEBHOOK_DELIVERY"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", WEBHOOK_DELIVERY="cron")
