"""Password reset by a signed, expiring, single-use link."""

from __future__ import annotations

import logging
import re

import pytest

from surveyapp.accounts import services
from tests.conftest import login, post_form

NEW = "een nieuw lang wachtwoord"


def request_link(client, caplog, email="owner@mawar.test") -> str:
    with caplog.at_level(logging.WARNING):
        response = post_form(client, "/password/forgot", {"email": email})
    assert response.status_code == 302
    match = re.search(r"http://localhost(/password/reset/\S+)", caplog.text)
    assert match, caplog.text
    return match.group(1)


def test_reset_link_sets_new_password_once(client, world, caplog):
    path = request_link(client, caplog)
    assert post_form(client, path, {"password": NEW, "confirm": NEW}).status_code == 302
    login(client, "owner@mawar.test", NEW)
    post_form(client, "/logout", token_from="/dashboard")
    # The same link no longer works once the password has changed.
    response = client.get(path)
    assert response.status_code == 400


def test_unknown_address_gets_the_same_answer_and_no_mail(client, world, caplog):
    with caplog.at_level(logging.WARNING):
        response = post_form(client, "/password/forgot", {"email": "nobody@mawar.test"}, follow_redirects=True)
    assert response.status_code == 200
    assert "/password/reset/" not in caplog.text


def test_tampered_link_is_400(client, world, caplog):
    path = request_link(client, caplog)
    response = client.get(path[:-3] + "abc")
    assert response.status_code == 400
    response = post_form(client, path[:-3] + "abc", {"password": NEW, "confirm": NEW}, token_from="/login")
    assert response.status_code == 400


def test_expired_link_is_400(app, client, world, caplog, monkeypatch):
    path = request_link(client, caplog)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_weak_new_password_is_refused(client, world, caplog):
    path = request_link(client, caplog)
    response = post_form(client, path, {"password": "123", "confirm": "123"})
    assert response.status_code == 422


def test_token_service_rejects_garbage(ctx):
    with pytest.raises(services.AccountError):
        services.user_from_reset_token("not-a-token")
