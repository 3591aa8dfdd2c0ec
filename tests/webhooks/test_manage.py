"""The owner's webhook page: counts, failures, sending failed ones again;
only the owner of the organisation sees or changes its webhooks."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.webhooks.models import Webhook, WebhookDelivery
from tests import factories
from tests.conftest import get_csrf, login
from tests.exports import data


@pytest.fixture
def hook(world, ctx):
    """A webhook of the first organisation with one delivery that gave up."""
    webhook = Webhook(organisation_id=world.org.id, url="https://hooks.mawar.example/secret-path", secret="s")
    db.session.add(webhook)
    db.session.commit()
    survey = data.survey(world.org)
    response = factories.respond(survey, {"age": "3"}, check=False)
    db.session.add(
        WebhookDelivery(
            webhook_id=webhook.id,
            response_id=response.id,
            status="failed",
            attempts=8,
            last_status_code=502,
            last_error="HTTP 502 from mawar",
        )
    )
    db.session.commit()
    return webhook


URLS = [("GET", "/org/webhooks"), ("POST", "/org/webhooks/{id}/retry"), ("POST", "/org/webhooks/{id}/delete")]


@pytest.mark.parametrize("method,url", URLS)
@pytest.mark.parametrize("role,expected", [("viewer", 403), ("editor", 403), ("owner", None)])
def test_only_the_owner_manages_webhooks(client, hook, method, url, role, expected):
    login(client, f"{role}@mawar.test")
    url = url.format(id=hook.id)
    answer = (
        client.get(url) if method == "GET" else client.post(url, data={"csrf_token": get_csrf(client, "/dashboard")})
    )
    assert answer.status_code == (expected or (200 if method == "GET" else 303))


@pytest.mark.parametrize("url", ["/org/webhooks/{id}/retry", "/org/webhooks/{id}/delete"])
def test_another_organisation_gets_404_and_changes_nothing(client, hook, url):
    login(client, "owner@melati.test")
    answer = client.post(url.format(id=hook.id), data={"csrf_token": get_csrf(client, "/dashboard")})
    assert answer.status_code == 404
    db.session.expire_all()
    row = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    assert row.status == "failed" and db.session.get(Webhook, hook.id) is not None


def test_another_organisation_does_not_see_the_webhook_or_its_failures(client, hook):
    login(client, "owner@melati.test")
    page = client.get("/org/webhooks").get_data(as_text=True)
    assert "hooks.mawar.example" not in page and "HTTP 502 from mawar" not in page
    assert "No webhooks yet." in page and "No failed deliveries." in page


def test_the_owner_sees_counts_and_failures_and_sends_them_again(app, client, hook, monkeypatch):
    # Jobs off: the row as the retry leaves it, before a send job changes it.
    monkeypatch.setattr(app.extensions["suara_jobs"], "backend", "off")
    login(client, "owner@mawar.test")
    page = client.get("/org/webhooks").get_data(as_text=True)
    assert "hooks.mawar.example" in page and "HTTP 502 from mawar" in page and "Gave up" in page
    assert "0 delivered, 0 waiting, 1 gave up" in page and "Send the failed ones again" in page
    answer = client.post(
        f"/org/webhooks/{hook.id}/retry", data={"csrf_token": get_csrf(client, "/org/webhooks")}, follow_redirects=True
    )
    assert "1 delivery will be sent again." in answer.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.last_error == "HTTP 502 from mawar"  # still shown until a call succeeds
