"""Absolute links sent outside a request are built from PUBLIC_BASE_URL,
never from the request's Host or X-Forwarded-Host (issue 12, item 5)."""

from __future__ import annotations

import logging

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from tests.conftest import get_csrf, login

FORGED = {"X-Forwarded-Host": "evil.example"}  # what ProxyFix believes


@pytest.fixture
def behind_proxy(app, monkeypatch):
    """As with TRUST_PROXY_HOPS=1: the proxy's X-Forwarded-* headers are believed."""
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://suara.example.id")


def test_reset_link_ignores_forged_host(client, world, caplog, behind_proxy):
    token = get_csrf(client, "/password/forgot")
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/password/forgot", data={"email": world.owner.email, "csrf_token": token}, headers=FORGED
        )
    assert response.status_code == 302
    assert "https://suara.example.id/password/reset/" in caplog.text
    assert "evil.example" not in caplog.text


def test_member_invitation_link_ignores_forged_host(client, world, caplog, behind_proxy):
    login(client, world.owner.email)
    token = get_csrf(client, "/org/members")
    with caplog.at_level(logging.WARNING):
        client.post(
            "/org/members/invite",
            data={"email": "new@mawar.test", "role": "viewer", "csrf_token": token},
            headers=FORGED,
        )
    assert "https://suara.example.id/" in caplog.text
    assert "evil.example" not in caplog.text


def test_share_links_on_organiser_pages_use_the_public_address(client, world, behind_proxy):
    from tests.collect.helpers import make_survey

    login(client, world.owner.email)
    survey = make_survey(world.org)
    page = client.get(f"/surveys/{survey.id}/share", headers=FORGED).get_data(as_text=True)
    assert "https://suara.example.id/s/" in page
    assert "evil.example" not in page


def test_production_requires_a_public_address(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        ProductionConfig.check()
