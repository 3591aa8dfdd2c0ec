"""Login limits cannot be used to lock the real owner out (issue 12, item 7).

Limits apply per address and per (account, address); the per-account limit
is slower, and a browser that has logged in to the account before is not
held back by it."""

from __future__ import annotations

from tests.conftest import get_csrf
from tests.factories import PASSWORD

VICTIM = "owner@mawar.test"


def attempt(app, email, password, address, client=None):
    client = client or app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = get_csrf(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def attack(app, count=60):
    """Wrong passwords for the victim from many addresses (a botnet)."""
    return [attempt(app, VICTIM, "guess", f"203.0.113.{i % 200 + 1}") for i in range(count)]


def test_owner_browser_that_logged_in_before_is_not_locked_out(app, client, world):
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert attempt(app, VICTIM, PASSWORD, "198.51.100.7", client) == 302  # a known browser now
    client.post("/logout", data={"csrf_token": get_csrf(client, "/dashboard")})
    statuses = attack(app)
    assert 429 in statuses  # the per-account limit does hold the attack back
    assert attempt(app, VICTIM, PASSWORD, "198.51.100.7", client) == 302


def test_per_account_limit_is_slow_enough_for_a_few_mistakes(app, world):
    # Ten wrong passwords from ten addresses are not yet a lock.
    statuses = attack(app, 10)
    assert set(statuses) == {401}
    assert attempt(app, VICTIM, PASSWORD, "198.51.100.9") == 302


def test_one_address_guessing_many_accounts_is_limited(app, world):
    statuses = [attempt(app, f"user{i}@mawar.test", "guess", "203.0.113.50") for i in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429
    # ... while the owner at another address is unaffected.
    assert attempt(app, VICTIM, PASSWORD, "198.51.100.8") == 302


def test_a_forged_known_browser_cookie_does_not_exempt(app, world):
    statuses = attack(app)
    assert 429 in statuses
    client = app.test_client()
    client.set_cookie("suara_known", "forged.value.here")
    assert attempt(app, VICTIM, PASSWORD, "198.51.100.10", client) == 429


def test_a_known_browser_cookie_expires(app, client, world, monkeypatch):
    from surveyapp.accounts import known_browsers

    assert attempt(app, VICTIM, PASSWORD, "198.51.100.11", client) == 302
    cookie = client.get_cookie(known_browsers.COOKIE).value
    with app.test_request_context():
        assert known_browsers.knows(cookie, VICTIM)
        monkeypatch.setattr(known_browsers, "MAX_AGE", -1)
        assert not known_browsers.knows(cookie, VICTIM)
