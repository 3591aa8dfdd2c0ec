"""Fixtures: one database per test run, built by the migrations, emptied
between tests. TEST_DATABASE_URL picks PostgreSQL; SQLite otherwise."""

from __future__ import annotations

import os
import re

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from surveyapp import create_app
from surveyapp.extensions import db, limiter
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class RequestIsolatedClient(FlaskClient):
    """Tests that hold an app context (for factories) would otherwise share
    ``g`` across requests, so per-request caches (locale, membership) leak
    from one request into the next. Each request starts with an empty ``g``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Tests read English messages unless they ask for a language; a
        # browser without Accept-Language would get Indonesian, the default.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from config import normalise_database_url
    from surveyapp.i18n_catalogs import compile_catalogs

    compile_catalogs()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url))
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_everything() -> None:
    """Start from an empty database even if an earlier run was killed."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_tables(request, app):
    """Empty every table after each test (cheaper than re-creating)."""
    yield
    if "app" not in request.fixturenames:
        return
    empty_tables(app)


def empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(
                    text("TRUNCATE TABLE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
                )
            else:
                for table in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{table}"'))
    limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def get_csrf(client, url: str = "/login") -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
    """POST like a browser: first read a CSRF token from a page."""
    data = dict(data or {})
    data.setdefault("csrf_token", get_csrf(client, token_from or url))
    return client.post(url, data=data, **kwargs)


def login(client, email: str, password: str = factories.PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def make(ctx):
    """Factories bound to the app context."""
    return factories


@pytest.fixture
def world(ctx):
    """Two organisations; the first has an owner, an editor and a viewer;
    the second an owner (the outsider for cross-organisation tests)."""
    return factories.two_organisations()
