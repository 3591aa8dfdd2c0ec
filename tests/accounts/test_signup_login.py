"""Sign-up, log-in, log-out: the happy paths and every bad input."""
from __future__ import annotations

from surveyapp.accounts.models import User
from surveyapp.extensions import db
from surveyapp.orgs.models import Membership
from tests.conftest import get_csrf, login, post_form
from tests.factories import PASSWORD

SIGNUP = {
    "name": "Ani Wijaya", "email": "Ani@Example.org", "organisation": "Yayasan Sejahtera",
    "password": "tiga kata rahasia", "confirm": "tiga kata rahasia",
}


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_signup_creates_owner_of_new_organisation(client, ctx):
    response = post_form(client, "/signup", SIGNUP)
    assert response.status_code == 302
    user = db.session.execute(db.select(User).filter_by(email="ani@example.org")).scalar_one()
    membership = db.session.execute(db.select(Membership).filter_by(user_id=user.id)).scalar_one()
    assert membership.role == "owner"
    assert membership.organisation.name == "Yayasan Sejahtera"
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/dashboard").status_code == 200


def test_signup_duplicate_email_is_refused_without_second_account(client, ctx, make):
    make.user("ani@example.org")
    response = post_form(client, "/signup", SIGNUP)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True) or "sudah" in response.get_data(as_text=True)
    assert count(User) == 1


def test_signup_weak_password_names_the_field(client, ctx):
    response = post_form(client, "/signup", {**SIGNUP, "password": "short", "confirm": "short"},
                         headers={"Accept-Language": "en"})
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
    wrong_password = post_form(client, "/login", {"email": "owner@mawar.test", "password": "not it at all"},
                               headers={"Accept-Language": "en"})
    no_account = post_form(client, "/login", {"email": "nobody@mawar.test", "password": "not it at all"},
                           headers={"Accept-Language": "en"})
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
    response = client.post("/login?next=//evil.example/steal",
                           data={"email": "owner@mawar.test", "password": PASSWORD, "csrf_token": token})
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
