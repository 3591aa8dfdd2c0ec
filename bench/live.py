"""What the benchmarks that drive a live server share: the app gunicorn
serves, a fresh database with the 10-question survey, gunicorn itself
(start, wait for every worker, kill one, stop) and the resident's form
requests over http.client.

Used by bench/collect_bench.py (rate) and bench/soak.py (integrity under
killed workers). Everything runs against 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-not-for-production"
WARM_UP_PATH = "/bench-warm-up"
LIMITER_STORAGE = {"memory": "memory://", "redis": "redis://127.0.0.1:6379/15"}


def db_url(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


# ---- the app gunicorn serves ----------------------------------------------------------

WORKER_HEADER = "X-Bench-Worker"


def answer_warm_up(app):
    """Answer the load generator's start-up probe with the worker's pid
    (so it can wait until every worker has loaded the app), and name the
    worker on every response (``X-Bench-Worker``: the soak spares the one
    streaming its export)."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        if environ.get("PATH_INFO") == WARM_UP_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(os.getpid()).encode()]

        def named(status, headers, exc_info=None):
            return start_response(status, [*headers, (WORKER_HEADER, str(os.getpid()))], exc_info)

        return inner(environ, named)

    app.wsgi_app = wsgi_app
    return app


def create_bench_app():
    """The real app. One load generator on 127.0.0.1 is a flood to the
    per-address and per-link limits (which is what they are for), so either
    the limiter is off (``BENCH_LIMITER=off``) or it runs with its storage
    (memory or Redis) but with limits too high to refuse: every request still
    pays for counting, which is the cost production has."""
    from surveyapp import create_app

    limiter = os.environ.get("BENCH_LIMITER", "off")
    settings = {"RATELIMIT_ENABLED": False}
    if limiter != "off":
        unlimited = "1000000 per minute"
        settings = {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": LIMITER_STORAGE[limiter],
            "RESPOND_RATE_LIMIT": unlimited,
            "RESPOND_LINK_RATE_LIMIT": unlimited,
        }
    return answer_warm_up(
        create_app(
            "development",
            SECRET_KEY=SECRET,
            DEBUG=False,
            SQLALCHEMY_DATABASE_URI=db_url(os.environ["DATABASE_URL"]),
            **settings,
        )
    )


# ---- the survey and a fresh database ----------------------------------------------------


def text(en, id_):
    return {"en": en, "id": id_}


def options(*codes):
    return [{"code": c, "label": text(c.title(), c.title())} for c in codes]


def likert():
    return [{"code": str(i), "label": text(f"Level {i}", f"Tingkat {i}"), "value": i} for i in range(1, 6)]


DOCUMENT = {
    "format": "suara-survey",
    "version": 1,
    "kind": "custom",
    "languages": ["id", "en"],
    "default_language": "id",
    "title": text("Benchmark survey", "Survei uji beban"),
    "pages": [
        {
            "questions": [
                {
                    "code": "q1",
                    "type": "single_choice",
                    "required": True,
                    "title": text("One", "Satu"),
                    "options": options("a", "b", "c"),
                },
                {"code": "q2", "type": "single_choice", "title": text("Two", "Dua"), "options": options("a", "b", "c")},
                {"code": "q3", "type": "yes_no", "title": text("Three", "Tiga")},
                {
                    "code": "q4",
                    "type": "likert",
                    "title": text("Four", "Empat"),
                    "settings": {"points": 5},
                    "options": likert(),
                },
                {
                    "code": "q5",
                    "type": "likert",
                    "title": text("Five", "Lima"),
                    "settings": {"points": 5},
                    "options": likert(),
                },
                {"code": "q6", "type": "rating_0_10", "title": text("Six", "Enam")},
                {
                    "code": "q7",
                    "type": "multiple_choice",
                    "title": text("Seven", "Tujuh"),
                    "options": options("x", "y", "z"),
                },
                {"code": "q8", "type": "number", "title": text("Eight", "Delapan"), "settings": {"min": 0, "max": 120}},
                {"code": "q9", "type": "short_text", "title": text("Nine", "Sembilan")},
                {"code": "q10", "type": "single_choice", "title": text("Ten", "Sepuluh"), "options": options("a", "b")},
            ]
        }
    ],
}
ANSWERS = {
    "q-q1": "a",
    "q-q2": "b",
    "q-q3": "yes",
    "q-q4": "4",
    "q-q5": "5",
    "q-q6": "9",
    "q-q7": ["x", "z"],
    "q-q8": "42",
    "q-q9": "Jalan rusak di RW 03",
    "q-q10": "a",
}  # 11 answer rows


def prepare_database(url: str, seed=None) -> tuple[int, str, object]:
    """Empty the database, migrate it and create an open survey of
    ``DOCUMENT``; then ``seed(organisation, survey)`` (in the app context)
    adds what a caller needs. Returns (survey id, public token, seed's result)."""
    from flask_migrate import upgrade
    from sqlalchemy import text as sql

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.orgs.models import Organisation
    from surveyapp.surveys.services import create_from_definition

    app = create_app("development", SECRET_KEY=SECRET, SQLALCHEMY_DATABASE_URI=db_url(url))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sql("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        org = Organisation(name="Bench", slug="bench")
        db.session.add(org)
        db.session.commit()
        survey = create_from_definition(org.id, None, DOCUMENT)
        survey.status = "open"
        db.session.commit()
        survey_id, token = survey.id, survey.public_token
        extra = seed(org, survey) if seed else None
        db.session.remove()
        db.engine.dispose()
    return survey_id, token, extra


# ---- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, target: str, url: str, workers: int, threads: int, survey_id: int, limiter: str = "off"):
        self.port = free_port()
        self.workers = workers
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BENCH_SURVEY_ID": str(survey_id),
            "SUARA_CONFIG": "development",
            "PYTHONPATH": str(ROOT),
            "BENCH_LIMITER": limiter,
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--keep-alive",
                "30",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        # gunicorn binds the port before its workers have imported the app
        # (seconds on a busy machine): wait until every worker answers, so
        # no worker's start-up falls into the timed phase.
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.warm_up(workers * threads * 2, timeout=max(1.0, deadline - time.time()))
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.log_tail())

    def log_tail(self, size: int = 2000) -> str:
        self.log.seek(0)
        return self.log.read()[-size:].decode(errors="replace")

    def warm_up(self, count: int, timeout: float) -> None:
        """Send rounds of ``count`` concurrent requests until every worker
        process has answered one (each answers with its pid)."""
        pids, errors = set(), []

        def probe():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
                conn.request("GET", WARM_UP_PATH)
                body = conn.getresponse().read()
                conn.close()
                pids.add(body)
            except (OSError, http.client.HTTPException) as error:
                errors.append(error)

        while len(pids) < self.workers:
            threads = [threading.Thread(target=probe) for _ in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        """The master's children: its workers (Linux /proc)."""
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as handle:
                return [int(pid) for pid in handle.read().split()]
        except OSError:
            return []

    def kill_worker(self, rng: random.Random, booted_for: float = 0.0, spare: int | None = None) -> int | None:
        """SIGKILL one worker, chosen at random among those started at least
        ``booted_for`` seconds ago (killing one still loading the app tests
        nothing) other than ``spare``; the master starts another. Returns
        its pid, or None."""
        ticks, boot = os.sysconf("SC_CLK_TCK"), _boot_time()
        pids = []
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    started = boot + int(handle.read().rsplit(")", 1)[1].split()[19]) / ticks
            except (OSError, IndexError, ValueError):
                continue
            if time.time() - started >= booted_for and pid != spare:
                pids.append(pid)
        if not pids:
            return None
        pid = rng.choice(pids)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        return pid

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _boot_time() -> float:
    with open("/proc/stat") as handle:
        return float(next(line for line in handle if line.startswith("btime")).split()[1])


# ---- the resident's requests ------------------------------------------------------------------

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def body_of(fields: dict, answers: dict = ANSWERS) -> str:
    pairs = []
    for key, value in {**fields, **answers}.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return urlencode(pairs)


def get_form(conn, token: str) -> dict:
    """The survey page's hidden fields (submission id, form token), ready to post."""
    conn.request("GET", f"/s/{token}")
    response = conn.getresponse()
    html = response.read().decode()
    if response.status != 200:
        raise http.client.HTTPException(f"GET /s/{token} answered {response.status}")
    fields = {k: unescape(v) for k, v in HIDDEN.findall(html)}
    fields["action"] = "next"
    return fields


def post(conn, path: str, body: str) -> int:
    return post_response(conn, path, body)[0]


def post_response(
    conn, path: str, body: str, content_type: str = "application/x-www-form-urlencoded", headers: dict | None = None
) -> tuple[int, dict, bytes]:
    """POST and read the whole answer: (status, headers, body)."""
    conn.request("POST", path, body=body, headers={"Content-Type": content_type, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    return response.status, dict(response.getheaders()), data


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return (
        f"Python {platform.python_version()}, Flask {of('flask')}, SQLAlchemy {of('sqlalchemy')}, "
        f"gunicorn {of('gunicorn')}, psycopg {of('psycopg')}, SQLite {__import__('sqlite3').sqlite_version}"
    )
