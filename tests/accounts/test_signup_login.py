"""Sign-up, log-in, log-out: the happy paths and every bad input."""

from __future__ import annotations

import logging
import re

from surveyapp.accounts.models import User
from surveyapp.extensions import db
from surveyapp.orgs.models import Membership
from tests.conftest import get_csrf, login, post_form
from tests.factories import PASSWORD

SIGNUP = {
    "name": "Ani Wijaya",
    "email": "Ani@Example.org",
    "organisation": "Yayasan Sejahtera",
    "password": "tiga kata rahasia",
    "confirm": "tiga kata rahasia",
}


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def signup(client, caplog, data=SIGNUP):
    """Send the sign-up form; return the response and the mail it wrote to the log."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = post_form(client, "/signup", data)
    return response, caplog.text


def test_signup_creates_owner_of_new_organisation_once_the_address_is_confirmed(client, ctx, caplog):
    response, mail = signup(client, caplog)
    assert response.status_code == 303
    assert count(User) == 0  # nothing until the mailbox's owner confirms
    path = re.search(r"http://localhost(/signup/confirm/\S+)", mail).group(1)
    page = client.get(path)
    assert page.status_code == 200 and count(User) == 0  # a GET (a mail scanner) creates nothing
    response = post_form(client, path)
    assert response.status_code == 303
    user = db.session.execute(db.select(User).filter_by(email="ani@example.org")).scalar_one()
    membership = db.session.execute(db.select(Membership).filter_by(user_id=user.id)).scalar_one()
    assert membership.role == "owner"
    assert membership.organisation.name == "Yayasan Sejahtera"
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/dashboard").status_code == 200
    # The link is good for one account: used again, it creates nothing more.
    client2 = client.application.test_client()
    assert post_form(client2, path).status_code == 400
    assert count(User) == 1


def test_signup_does_not_reveal_that_an_address_has_an_account(client, ctx, make, caplog):
    """Issue 12 item 10: both answers alike; the existing owner is told by mail."""
    fresh, fresh_mail = signup(client, caplog, {**SIGNUP, "email": "baru@example.org"})
    make.user("ani@example.org")
    taken, taken_mail = signup(client, caplog)
    assert (fresh.status_code, fresh.location) == (taken.status_code, taken.location)
    page_fresh = client.get(fresh.location).get_data(as_text=True)
    assert "baru@example.org" not in page_fresh
    assert count(User) == 1
    assert "/signup/confirm/" in fresh_mail
    assert "/signup/confirm/" not in taken_mail
    assert "ani@example.org" in taken_mail and "/password/forgot" in taken_mail


def test_forged_confirmation_link_is_400_and_creates_nothing(client, ctx, caplog):
    _, mail = signup(client, caplog)
    path = re.search(r"http://localhost(/signup/confirm/\S+)", mail).group(1)
    assert client.get(path[:-4] + "abcd").status_code == 400
    assert post_form(client, path[:-4] + "abcd", token_from="/login").status_code == 400
    assert count(User) == 0


def test_signup_weak_password_names_the_field(client, ctx):
    response = post_form(
        client, "/signup", {**SIGNUP, "password": "short", "confirm": "short"}, headers={"Accept-Language": "en"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in body and 'aria-describedby="password-hint password-error"' in body
    assert count(User) == 0


def test_signup_without_csrf_token_is_400_and_stores_nothing(client, ctx):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 400
    response = client.post("/signup", data={**SIGNUP, "csrf_token": "forged"})
    assert response.status_code == 400
    assert count(User) == 0


def test_signup_mismatched_confirmation(client, ctx):
    response = post_form(client, "/signup", {**SIGNUP, "confirm": "something else entirely"})
    assert response.status_code == 422
    assert count(User) == 0


def test_login_and_logout(client, world):
    login(client, "owner@mawar.test")
    assert client.get("/dashboard").status_code == 200
    assert client.get("/logout").status_code == 405  # log-out only by POST with a token
    response = post_form(client, "/logout", token_from="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_error_does_not_reveal_whether_account_exists(client, world):
    wrong_password = post_form(
        client, "/login", {"email": "owner@mawar.test", "password": "not it at all"}, headers={"Accept-Language": "en"}
    )
    no_account = post_form(
        client, "/login", {"email": "nobody@mawar.test", "password": "not it at all"}, headers={"Accept-Language": "en"}
    )
    assert wrong_password.status_code == no_account.status_code == 401
    assert "e-mail address or password is not correct" in wrong_password.get_data(as_text=True)
    assert "e-mail address or password is not correct" in no_account.get_data(as_text=True)


def test_login_attempts_are_rate_limited(client, world):
    token = get_csrf(client)
    statuses = [
        client.post("/login", data={"email": "owner@mawar.test", "password": "guess", "csrf_token": token}).status_code
        for _ in range(12)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    # Even the right password is refused while limited.
    response = client.post("/login", data={"email": "owner@mawar.test", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_login_redirect_target_must_be_local(client, world):
    token = get_csrf(client)
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": "owner@mawar.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_oversized_body_is_413(client, ctx):
    token = get_csrf(client, "/signup")
    response = client.post("/signup", data={**SIGNUP, "csrf_token": token, "name": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    assert count(User) == 0


def test_session_cookie_flags(client, world):
    response = post_form(client, "/login", {"email": "owner@mawar.test", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
