"""Delivery right after the commit that completes a response (inline mode,
as in tests), the signature, the retry schedule and the lease that keeps
two processes from sending one delivery twice."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import random
import threading
import uuid
from datetime import datetime, timedelta

import pytest

from surveyapp.database import utcnow
from surveyapp.extensions import db
from surveyapp.responses import services as responses
from surveyapp.webhooks import delivery
from surveyapp.webhooks import services as webhook_services
from surveyapp.webhooks.models import WebhookDelivery
from tests import factories
from tests.collect.helpers import Resident, make_survey
from tests.conftest import get_csrf, login
from tests.webhooks.conftest import Receiver


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return db.session.execute(db.select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars().all()


def answer_clinic_survey(client, survey) -> None:
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "9", "q-comment": "Ramah"})
    sent = resident.send({"q-age": "41", "q-services": ["kia", "umum"]})
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]


def test_a_web_form_response_is_posted_once_signed_right_after_it_completes(client, world, receiver):
    hook = webhook_services.create(world.org.id, world.owner.id, receiver.url)
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "9", "q-comment": "Ramah"})
    assert receiver.calls == []  # a partial response is not sent
    resident.send({"q-age": "41", "q-services": ["kia", "umum"]})

    assert len(receiver.calls) == 1  # inline: sent before the request returned
    headers, body, _at = receiver.calls[0]
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Suara-Signature"], expected)
    sent = json.loads(body)
    [row] = deliveries()
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at is not None
    assert (sent["event"], sent["delivery_id"], sent["attempt"]) == ("response.completed", row.id, 1)
    assert headers["X-Suara-Delivery"] == str(row.id) and headers["X-Suara-Event"] == "response.completed"
    assert headers["Content-Type"] == "application/json"
    assert sent["survey_id"] == survey.id and sent["response"]["response_id"] == row.response_id
    assert sent["response"]["answers"]["age"] == 41 and sent["response"]["answers"]["comment"] == "Ramah"

    # Opening the thanks page, a repeated final submit and a cron run send nothing more.
    resident.open()
    assert delivery.deliver_due() == (0, 0)
    assert len(receiver.calls) == 1


def test_a_tampered_body_does_not_verify(client, world, receiver):
    hook = webhook_services.create(world.org.id, None, receiver.url)
    answer_clinic_survey(client, make_survey(world.org))
    headers, body, _at = receiver.calls[0]
    forged = body.replace(b'"age": 41', b'"age": 14')
    assert forged != body
    assert headers["X-Suara-Signature"] != delivery.sign(hook.secret, forged)
    assert headers["X-Suara-Signature"] == delivery.sign(hook.secret, body)


def test_paper_and_api_responses_are_sent_too(client, world, receiver):
    from surveyapp.api import tokens

    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    raws = {"uses": "no", "age": "30"}
    responses.submit_complete(survey, raws, str(uuid.uuid4()), "paper", language="id")
    assert receiver.wait_for(1, 0) and json.loads(receiver.calls[0][1])["response"]["channel"] == "paper"
    _token, plain = tokens.create(world.org.id, world.owner.id, "writer", "write")
    answer = client.post(
        f"/api/v1/surveys/{survey.id}/responses",
        headers={"Authorization": f"Bearer {plain}"},
        json={"submission_id": str(uuid.uuid4()), "language": "en", "answers": {"uses": "no", "age": 50}},
    )
    assert answer.status_code == 201
    assert len(receiver.calls) == 2 and json.loads(receiver.calls[1][1])["response"]["answers"]["age"] == 50


def test_another_organisations_responses_are_not_sent(client, world, receiver):
    webhook_services.create(world.org.id, None, receiver.url)
    answer_clinic_survey(client, make_survey(world.other_org))
    assert receiver.calls == [] and deliveries() == []


def test_a_failure_is_retried_later_and_shown_to_the_owner(client, world, receiver):
    receiver.status = 503
    webhook_services.create(world.org.id, None, receiver.url)
    answer_clinic_survey(client, make_survey(world.org))
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 503, "HTTP 503")
    pause = (row.next_attempt_at - utcnow()).total_seconds()
    assert 0.8 * 60 - 2 <= pause <= 1.2 * 60  # first pause: one minute ± 20 %
    assert delivery.deliver_due() == (0, 0)  # not due yet
    login(client, "owner@mawar.test")
    page = client.get("/org/webhooks").get_data(as_text=True)
    assert "HTTP 503" in page and "Next try" in page and "0 delivered, 1 waiting, 0 gave up" in page


def test_private_addresses_stay_refused_at_send_time(app, client, world, receiver):
    webhook_services.create(world.org.id, None, receiver.url)  # allowed while registering (test switch)
    app.config.pop("WEBHOOKS_ALLOW_PRIVATE")
    answer_clinic_survey(client, make_survey(world.org))
    [row] = deliveries()
    assert receiver.calls == [] and row.status == "pending" and "private or local" in row.last_error


# ---- the retry schedule ------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap():
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert delivery.backoff(20) == timedelta(hours=6)
    assert delivery.backoff(3, base=0.5, cap=10) == timedelta(seconds=2)


def test_jittered_pauses_stay_within_twenty_percent_and_keep_growing():
    rng = random.Random(7)
    for attempts in range(1, 9):
        samples = [delivery.retry_delay(attempts, rng=rng) for _ in range(200)]
        plain = delivery.backoff(attempts)
        assert all(0.8 * plain <= s <= 1.2 * plain for s in samples)
        assert len(set(samples)) > 100  # really jittered
        if attempts < 8:
            assert max(samples) < 0.8 * delivery.backoff(attempts + 1)


# ---- the lease ----------------------------------------------------------------------


@pytest.fixture
def due_delivery(world, allow_loopback):
    """A pending delivery that is due, to a receiver that answers slowly."""

    slow = Receiver(delay=0.4)
    webhook_services.create(world.org.id, None, slow.url)
    survey = make_survey(world.org)
    factories.respond(survey, {}, submitted_at=utcnow(), check=False)
    delivery.enqueue()  # the builder writes past the services: queue it as the catch-up job would
    # Make it a fresh due delivery.
    db.session.execute(
        db.update(WebhookDelivery).values(status="pending", attempts=0, next_attempt_at=datetime(2020, 1, 1))
    )
    db.session.commit()
    slow.calls.clear()
    yield slow
    slow.close()


def test_a_claimed_delivery_cannot_be_claimed_again_until_the_lease_ends(due_delivery):
    [row] = deliveries()
    first = delivery.claim(row.id)
    assert first is not None and delivery.claim(row.id) is None
    later = first.lease_until + timedelta(seconds=1)
    second = delivery.claim(row.id, now=later)  # the first holder died: the lease ran out
    assert second is not None
    # The first holder wakes up late: its result must not overwrite the new holder's.
    assert not delivery.record(first, delivery.Outcome(True, 200))
    assert delivery.record(second, delivery.Outcome(False, 500, "HTTP 500"))
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500")


def test_two_workers_racing_send_a_delivery_once(app, due_delivery):
    barrier = threading.Barrier(2)
    results = []

    def work():
        with app.app_context():
            barrier.wait()
            results.append(delivery.send_due())
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results) == [(0, 0), (1, 0)]
    assert len(due_delivery.calls) == 1
    [row] = deliveries()
    assert row.status == "delivered" and row.attempts == 1


def test_many_workers_racing_over_many_deliveries_send_each_once(app, world, allow_loopback):

    fast = Receiver()
    try:
        webhook_services.create(world.org.id, None, fast.url)
        survey = make_survey(world.org)
        for _ in range(12):
            factories.respond(survey, {}, submitted_at=utcnow(), check=False)
        delivery.enqueue()  # the builder writes past the services: queue them as the catch-up job would
        db.session.execute(
            db.update(WebhookDelivery).values(status="pending", attempts=0, next_attempt_at=datetime(2020, 1, 1))
        )
        db.session.commit()
        fast.calls.clear()
        barrier = threading.Barrier(4)
        totals = []

        def work():
            with app.app_context():
                barrier.wait()
                totals.append(delivery.deliver_due())
                db.session.remove()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        ids = sorted(json.loads(body)["delivery_id"] for _h, body, _t in fast.calls)
        assert len(ids) == 12 and len(set(ids)) == 12
        assert sum(t[0] for t in totals) == 12
    finally:
        fast.close()


def test_the_loopback_switch_is_ignored_outside_testing(database_url):
    from config import normalise_database_url
    from surveyapp import create_app
    from surveyapp.webhooks.services import WebhookRefused, check_url

    live = create_app(
        "development", SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url), WEBHOOKS_ALLOW_PRIVATE=True
    )
    with live.app_context(), live.test_request_context():
        with pytest.raises(WebhookRefused):
            check_url("http://127.0.0.1:8080/hook")
    assert live.extensions["suara_jobs"]._consumer is None  # no request served, no consumer thread


def test_a_one_page_survey_completed_in_its_first_submit_is_sent(client, world, receiver):
    from tests.collect.helpers import document, text

    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(
        world.org, document([[{"code": "age", "type": "number", "required": True, "title": text("Your age")}]])
    )
    resident = Resident(client, survey.public_token)
    resident.open()
    sent = resident.send({"q-age": "33"})
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    assert len(receiver.calls) == 1 and json.loads(receiver.calls[0][1])["response"]["answers"]["age"] == 33


def test_starting_a_response_does_not_queue_anything(client, world, receiver):
    webhook_services.create(world.org.id, None, receiver.url)
    survey = make_survey(world.org)
    resident = Resident(client, survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    assert receiver.calls == [] and deliveries() == []


def test_an_offline_import_is_sent_by_the_commit_hook(client, world, receiver):
    # No route wakes the sender by hand any more: committing complete responses does.
    from surveyapp.xlsform.services import import_xlsform
    from tests.xlsform import forms

    webhook_services.create(world.org.id, None, receiver.url)
    survey = import_xlsform(world.org.id, None, forms.household(), "household.xlsx", 5 * 1024 * 1024).survey
    survey.status = "open"
    db.session.commit()
    row = ["2026-03-01T08:00:00.000+07:00", "2026-03-01T08:09:00.000+07:00", "5", "no", "pipe", "", "health jobs"]
    row += ["1", "0", "1", "3.5", "", str(uuid.uuid4()), "2026-03-01T01:10:00"]
    login(client, "editor@mawar.test")
    url = f"/surveys/{survey.id}/offline-import"
    content = forms.kobo_csv([row])
    posted = client.post(url, data={"csrf_token": get_csrf(client, url), "submissions": (io.BytesIO(content), "k.csv")})
    assert posted.status_code == 303
    assert receiver.wait_for(1, 0) and json.loads(receiver.calls[0][1])["response"]["channel"] == "offline_app"
