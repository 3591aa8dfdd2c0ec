"""Configuration classes read from the environment.

Development gets safe local defaults; production refuses to start without
its secrets, so a forgotten variable fails loudly instead of running open.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def normalise_database_url(url: str) -> str:
    """Map the URL spellings people paste to the drivers Suara ships.

    Heroku-style ``postgres://`` and bare ``postgresql://`` both mean
    psycopg 3 here; SQLite URLs pass through unchanged.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Earlier secret keys, comma-separated, oldest first. Everything signed
    # (sessions, invitation and kiosk links, form, resume, sign-up and reset
    # tokens) is signed with SECRET_KEY and still accepted under these, so a
    # rotation kills no link (README, "Rotating the secret key").
    SECRET_KEY_FALLBACKS = [key.strip() for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()]
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Uploads (XLSForm, contact lists) are the largest bodies we accept.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A resident may take hours over a survey: the token lives as long as
    # the session instead of expiring after an hour mid-answer.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_MAX_AGE_DAYS = 7
    # Residents: generous per address because mobile carriers put many
    # phones behind one address; the per-link limit caps ballot stuffing.
    RESPOND_RATE_LIMIT = os.environ.get("RESPOND_RATE_LIMIT", "60 per minute")
    RESPOND_LINK_RATE_LIMIT = os.environ.get("RESPOND_LINK_RATE_LIMIT", "600 per minute")
    RESPOND_MAX_CONTENT_LENGTH = int(os.environ.get("RESPOND_MAX_CONTENT_LENGTH", 256 * 1024))
    # While every CPU is wanted, a streamed download of responses uses at
    # most this share of a core (exports/pacing.py); 1 turns pacing off.
    EXPORT_BUSY_SHARE = float(os.environ.get("EXPORT_BUSY_SHARE", 0.1))
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "suara@localhost")
    PRIVACY_MIN_CELL = 5
    # Behind a reverse proxy, how many proxies set X-Forwarded-For/-Proto:
    # rate limits and hashed addresses then see the resident, not the proxy.
    TRUST_PROXY_HOPS = int(os.environ.get("TRUST_PROXY_HOPS", 0))
    # Used where there is no request to build links from (CLI, e-mails from jobs).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Background jobs (surveyapp/jobs/, Huey): "sqlite" keeps the queue in
    # a file beside the database (nothing else to run), "redis" on
    # REDIS_URL for several app machines, "immediate" runs each job when
    # enqueued (tests), "off" runs none (reads catch up themselves, cron
    # runs `flask webhooks deliver`). JOBS_IN_PROCESS starts a consumer
    # thread in each app process; production sets 0 and runs `flask jobs worker`.
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "sqlite")
    JOBS_IN_PROCESS = os.environ.get("JOBS_IN_PROCESS", "1") == "1"
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH") or str(INSTANCE_DIR / "jobs.db")
    JOBS_POLL_SECONDS = float(os.environ.get("JOBS_POLL_SECONDS", 1.0))
    # A summary reads the tally while the completion job is about to fold the
    # newest responses (their backlog is younger than this): the whole-survey
    # figures may lag them by up to this long instead of reading every answer
    # live. 0 = always exact (the tests).
    TALLY_GRACE_SECONDS = float(os.environ.get("TALLY_GRACE_SECONDS", 120))
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 5))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", 8))
    WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", 60))
    WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600))


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = Config.SQLALCHEMY_DATABASE_URI or (f"sqlite:///{INSTANCE_DIR / 'suara.db'}")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    # Tests choose their database with TEST_DATABASE_URL (CI sets it to a
    # fresh PostgreSQL database); conftest fills in a SQLite file otherwise.
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_RESET_MAX_AGE = 3600
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # Jobs run when enqueued, in the request that enqueued them, unless a
    # test starts a consumer; loopback receivers stay refused unless a test
    # sets WEBHOOKS_ALLOW_PRIVATE.
    JOBS_BACKEND = "immediate"
    # Summaries exact to the last response (a test compares them with live reads).
    TALLY_GRACE_SECONDS = 0.0
    # The test client's address, so links in mails open in the test client.
    PUBLIC_BASE_URL = "http://localhost"
    # A test run keeps every CPU busy: downloads would pause (and the suite
    # crawl) for no one. tests/exports/test_pacing.py turns pacing back on.
    EXPORT_BUSY_SHARE = 1.0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        # PUBLIC_BASE_URL: every absolute link (reset mails, invitations,
        # QR codes) is built on it, never on the request's Host header.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError("Production configuration needs these environment variables: " + ", ".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
