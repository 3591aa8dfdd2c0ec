"""Landing page, language choice, error pages, headers, seed, config."""

from __future__ import annotations

import pytest

from surveyapp import create_app
from surveyapp.accounts.models import User
from surveyapp.extensions import db
from surveyapp.orgs.models import Membership, Organisation
from surveyapp.surveys.models import Option, Question, Survey
from tests.conftest import login


def test_landing_page_follows_browser_language(client):
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    indonesian = client.get("/", headers={"Accept-Language": "id-ID,id;q=0.9"}).get_data(as_text=True)
    assert "Hear your community" in english and '<html lang="en">' in english
    assert "Dengarkan komunitas Anda" in indonesian and '<html lang="id">' in indonesian


def test_language_switch_wins_over_browser_and_is_saved_for_user(client, world):
    client.get("/lang/en?next=/")
    assert "Hear your community" in client.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)
    login(client, "owner@mawar.test")
    client.get("/lang/id?next=/dashboard")
    db.session.refresh(world.owner)
    assert world.owner.locale == "id"
    assert "Anggota" in client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_redirect(client):
    assert client.get("/lang/fr").status_code == 404
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "lang,text", [("en", "We could not find that page"), ("id", "Kami tidak menemukan halaman itu")]
)
def test_404_page_in_both_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["code"] == 404


def test_unexpected_error_is_a_friendly_500(app):
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @fresh.route("/_boom_for_test")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom_for_test", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_page_has_language_switch_and_local_assets(client, world):
    login(client, "owner@mawar.test")
    for url in ["/dashboard", "/org/members", "/org/settings"]:
        body = client.get(url).get_data(as_text=True)
        assert "/lang/en" in body or "/lang/id" in body
        assert "http://" not in body.split("<body")[0].replace("http://localhost", "")  # no CDN in <head>


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_seed_demo_is_idempotent(runner, ctx):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo@suara.test" in first.output
    models = (Organisation, User, Membership, Survey, Question, Option)
    counts = [db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one() for m in models]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert counts == [db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one() for m in models]
    assert counts[0] == 1
    kinds = set(db.session.execute(db.select(Survey.kind)).scalars())
    assert kinds == {"needs_assessment", "satisfaction", "trust", "community_relations", "quick_poll"}


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_to_start_with_uncompiled_catalogues(monkeypatch, tmp_path):
    from surveyapp import i18n_catalogs

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "prod.db"))
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://suara.example.id")
    po = tmp_path / "id" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Yes"\nmsgstr "Ya"\n')
    monkeypatch.setattr(i18n_catalogs, "TRANSLATIONS", tmp_path)
    with pytest.raises(RuntimeError, match="catalogues of id are not compiled"):
        create_app("production")
    i18n_catalogs.compile_catalogs()  # what `make translations` runs
    assert i18n_catalogs.stale_catalogs() == []
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "prod.db"))
    assert app.config["SESSION_COOKIE_SECURE"] is True  # started, as production


def test_database_url_spellings():
    from config import normalise_database_url

    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_proxy_hops_make_the_forwarded_address_the_client(app):
    from flask import request

    plain = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TRUST_PROXY_HOPS=1)
    for each in (plain, proxied):
        each.add_url_rule("/_addr", "addr", lambda: request.remote_addr)
    headers = {"X-Forwarded-For": "203.0.113.7"}
    assert plain.test_client().get("/_addr", headers=headers).get_data(as_text=True) == "127.0.0.1"
    assert proxied.test_client().get("/_addr", headers=headers).get_data(as_text=True) == "203.0.113.7"
