"""A session ends for good: a captured cookie does not outlive logout,
a password reset or "log out everywhere" (users.session_version)."""

from __future__ import annotations

from tests.accounts.test_password_reset import NEW, request_link
from tests.conftest import login, post_form

OWNER = "owner@mawar.test"


def clone(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a
    thief who captured it would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def refused(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_cookie_captured_before_logout_is_refused_after_it(app, client, world):
    login(client, OWNER)
    thief = clone(app, client)
    assert thief.get("/dashboard").status_code == 200  # the copy works while A is logged in
    post_form(client, "/logout", token_from="/dashboard")
    assert refused(thief)
    assert refused(client)


def test_session_opened_before_a_password_reset_is_refused_after_it(app, client, world, caplog):
    login(client, OWNER)
    other = app.test_client()
    path = request_link(other, caplog)
    assert post_form(other, path, {"password": NEW, "confirm": NEW}).status_code == 302
    assert refused(client)
    login(other, OWNER, NEW)  # the new password opens a new session
    assert other.get("/dashboard").status_code == 200


def test_log_out_everywhere_ends_the_other_browsers_sessions(app, client, world):
    login(client, OWNER)
    laptop = app.test_client()
    login(laptop, OWNER)
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page
    response = post_form(
        client, "/logout/everywhere", token_from="/dashboard", follow_redirects=True, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "every device" in response.get_data(as_text=True)
    assert refused(laptop)
    assert refused(client)


def test_log_out_everywhere_needs_a_csrf_token(app, client, world):
    login(client, OWNER)
    laptop = app.test_client()
    login(laptop, OWNER)
    response = client.post("/logout/everywhere")
    assert response.status_code == 400
    assert laptop.get("/dashboard").status_code == 200


def test_a_normal_login_survives_many_requests(client, world):
    login(client, OWNER)
    for _ in range(4):
        assert client.get("/dashboard").status_code == 200
