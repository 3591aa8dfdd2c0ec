"""Collection benchmark: complete submissions per second of a 10-question,
one-page survey against the app under gunicorn, beside a bare Flask
endpoint doing the same inserts (one response row + 11 answer rows, raw SQL)
under the same gunicorn settings.

    .venv/bin/python -m bench.collect_bench [--database-url URL] [--workers 2 --threads 4]
                                            [--responses 3000] [--clients 16] [--seconds 60]
                                            [--limiter off|memory|redis] [--report docs/benchmarks.md]

Without --database-url a throw-away SQLite file (WAL) in /tmp is used. The
load generator runs in this process (threads, http.client keep-alive)
while gunicorn serves from other processes, against 127.0.0.1 only; every
run is bounded in count and time. Modes:

- ``post``: the resident's answering POST only; the GETs that issue the
  submission ids and form tokens are made before the timed phase;
- ``get+post``: the resident's GET of the survey page, then the POST (one
  response = two requests, both timed together);
- ``baseline``: one POST to the bare endpoint.

Before the clock starts, the script waits until every gunicorn worker has
loaded the app (each answers a probe with its pid), so no worker's start-up
falls into a timed phase.

After each run the complete responses in the database are counted and
compared with the client's count of 2xx/3xx answers, and some submission
ids are sent again to show that no duplicate is stored.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-not-for-production"
QUESTIONS = 10

# ---- the two apps gunicorn serves ---------------------------------------------------


WARM_UP_PATH = "/bench-warm-up"


def _answer_warm_up(app):
    """Answer the load generator's start-up probe with the worker's pid
    (so it can wait until every worker has loaded the app)."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        if environ.get("PATH_INFO") == WARM_UP_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(os.getpid()).encode()]
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app
    return app


LIMITER_STORAGE = {"memory": "memory://", "redis": "redis://127.0.0.1:6379/15"}


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
        settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": LIMITER_STORAGE[limiter],
                    "RESPOND_RATE_LIMIT": unlimited, "RESPOND_LINK_RATE_LIMIT": unlimited}
    return _answer_warm_up(create_app(
        "development", SECRET_KEY=SECRET, DEBUG=False,
        SQLALCHEMY_DATABASE_URI=_url(os.environ["DATABASE_URL"]), **settings))


def create_baseline_app():
    """A bare Flask endpoint: the same rows as a real submission, raw SQL."""
    from flask import Flask, request
    from sqlalchemy import create_engine, event, text

    engine = create_engine(_url(os.environ["DATABASE_URL"]), pool_pre_ping=False)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def pragmas(conn, _record):
            cursor = conn.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
    survey_id = int(os.environ["BENCH_SURVEY_ID"])
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT q.id, MIN(o.id) FROM questions q LEFT JOIN options o ON o.question_id = q.id "
            "WHERE q.survey_id = :s GROUP BY q.id ORDER BY q.id"), {"s": survey_id}).all()
    answers = [(qid, oid) for qid, oid in rows] + [(rows[0][0], rows[0][1])]  # 11 rows like the real one
    app = Flask(__name__)

    @app.post("/bare")
    def bare():
        submission_id = request.form["submission_id"]
        with engine.begin() as conn:
            existing = conn.execute(text("SELECT id FROM responses WHERE submission_id = :s"), {"s": submission_id}).first()
            if existing:
                return "", 303
            response_id = conn.execute(text(
                "INSERT INTO responses (survey_id, submission_id, status, channel, language, started_at, submitted_at, "
                "flagged) VALUES (:survey, :sid, 'complete', 'link', 'id', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false) "
                "RETURNING id"), {"survey": survey_id, "sid": submission_id}).scalar_one()
            conn.execute(text("INSERT INTO answers (response_id, question_id, option_id, value_num) "
                              "VALUES (:r, :q, :o, 1)"), [{"r": response_id, "q": q, "o": o} for q, o in answers])
        return "", 303

    return _answer_warm_up(app)


def _url(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


# ---- set-up ---------------------------------------------------------------------------

def text(en, id_):
    return {"en": en, "id": id_}


def options(*codes):
    return [{"code": c, "label": text(c.title(), c.title())} for c in codes]


def likert():
    return [{"code": str(i), "label": text(f"Level {i}", f"Tingkat {i}"), "value": i} for i in range(1, 6)]


DOCUMENT = {
    "format": "suara-survey", "version": 1, "kind": "custom", "languages": ["id", "en"], "default_language": "id",
    "title": text("Benchmark survey", "Survei uji beban"),
    "pages": [{"questions": [
        {"code": "q1", "type": "single_choice", "required": True, "title": text("One", "Satu"), "options": options("a", "b", "c")},
        {"code": "q2", "type": "single_choice", "title": text("Two", "Dua"), "options": options("a", "b", "c")},
        {"code": "q3", "type": "yes_no", "title": text("Three", "Tiga")},
        {"code": "q4", "type": "likert", "title": text("Four", "Empat"), "settings": {"points": 5}, "options": likert()},
        {"code": "q5", "type": "likert", "title": text("Five", "Lima"), "settings": {"points": 5}, "options": likert()},
        {"code": "q6", "type": "rating_0_10", "title": text("Six", "Enam")},
        {"code": "q7", "type": "multiple_choice", "title": text("Seven", "Tujuh"), "options": options("x", "y", "z")},
        {"code": "q8", "type": "number", "title": text("Eight", "Delapan"), "settings": {"min": 0, "max": 120}},
        {"code": "q9", "type": "short_text", "title": text("Nine", "Sembilan")},
        {"code": "q10", "type": "single_choice", "title": text("Ten", "Sepuluh"), "options": options("a", "b")},
    ]}],
}
ANSWERS = {"q-q1": "a", "q-q2": "b", "q-q3": "yes", "q-q4": "4", "q-q5": "5", "q-q6": "9", "q-q7": ["x", "z"],
           "q-q8": "42", "q-q9": "Jalan rusak di RW 03", "q-q10": "a"}  # 11 answer rows


def prepare_database(url: str) -> tuple[int, str]:
    """Migrate an empty database and create an open 10-question survey."""
    from flask_migrate import upgrade
    from sqlalchemy import text as sql

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.orgs.models import Organisation
    from surveyapp.surveys.services import create_from_definition

    app = create_app("development", SECRET_KEY=SECRET, SQLALCHEMY_DATABASE_URI=_url(url))
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
        result = survey.id, survey.public_token
        db.session.remove()
        db.engine.dispose()
    return result


def count_complete(url: str, survey_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine, text as sql

    engine = create_engine(_url(url))
    with engine.connect() as conn:
        responses = conn.execute(sql("SELECT COUNT(*) FROM responses WHERE survey_id = :s AND status = 'complete'"),
                                 {"s": survey_id}).scalar_one()
        answers = conn.execute(sql("SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id "
                                   "WHERE r.survey_id = :s"), {"s": survey_id}).scalar_one()
    engine.dispose()
    return responses, answers


def reset_responses(url: str, survey_id: int) -> None:
    from sqlalchemy import create_engine, text as sql

    engine = create_engine(_url(url))
    with engine.begin() as conn:
        conn.execute(sql("DELETE FROM answers WHERE response_id IN (SELECT id FROM responses WHERE survey_id = :s)"),
                     {"s": survey_id})
        conn.execute(sql("DELETE FROM responses WHERE survey_id = :s"), {"s": survey_id})
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, target: str, url: str, workers: int, threads: int, survey_id: int, limiter: str = "off"):
        self.port = free_port()
        self.workers = workers
        self.log = tempfile.TemporaryFile()
        env = {**os.environ, "DATABASE_URL": url, "BENCH_SURVEY_ID": str(survey_id), "SUARA_CONFIG": "development",
               "PYTHONPATH": str(ROOT), "BENCH_LIMITER": limiter}
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "--threads", str(threads), "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning", "--keep-alive", "30", target],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)
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
        self.log.seek(0)
        raise RuntimeError("gunicorn did not start: " + self.log.read()[-2000:].decode(errors="replace"))

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

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


# ---- load generator ---------------------------------------------------------------------

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def body_of(fields: dict) -> str:
    pairs = []
    for key, value in {**fields, **ANSWERS}.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return urlencode(pairs)


def get_form(conn, token: str) -> dict:
    conn.request("GET", f"/s/{token}")
    response = conn.getresponse()
    html = response.read().decode()
    from html import unescape

    fields = {k: unescape(v) for k, v in HIDDEN.findall(html)}
    fields["action"] = "next"
    return fields


def post(conn, path: str, body: str) -> int:
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    return response.status


def run_load(port: int, mode: str, token: str, total: int, clients: int, seconds: float, forms: list | None = None):
    """Returns (ok, failed, latencies in s, wall time, submission ids sent ok)."""
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "failed": 0}
    latencies, sent = [], []
    deadline = time.time() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < deadline:
            with lock:
                index = state["next"]
                if index >= total:
                    break
                state["next"] += 1
            started = time.perf_counter()
            try:
                if mode == "baseline":
                    sid = str(uuid.uuid4())
                    status = post(conn, "/bare", urlencode({"submission_id": sid}))
                elif mode == "post":
                    fields = forms[index]
                    sid = fields["submission_id"]
                    status = post(conn, f"/s/{token}", body_of(fields))
                else:
                    fields = get_form(conn, token)
                    sid = fields["submission_id"]
                    status = post(conn, f"/s/{token}", body_of(fields))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                if 200 <= status < 400:
                    state["ok"] += 1
                    latencies.append(elapsed)
                    sent.append(sid)
                else:
                    state["failed"] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return state["ok"], state["failed"], latencies, time.perf_counter() - begin, sent


def issue_forms(port: int, token: str, total: int, clients: int) -> list[dict]:
    forms, lock = [], threading.Lock()

    def worker(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = [get_form(conn, token) for _ in range(count)]
        conn.close()
        with lock:
            forms.extend(mine)

    share = -(-total // clients)
    threads = [threading.Thread(target=worker, args=(min(share, total - i * share),)) for i in range(clients)
               if total - i * share > 0]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return forms


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def measure(args, url, survey_id, token, workers, threads, mode) -> dict:
    reset_responses(url, survey_id)
    target = "bench.collect_bench:create_baseline_app()" if mode == "baseline" else "bench.collect_bench:create_bench_app()"
    if args.limiter == "redis":
        import redis

        redis.Redis.from_url(LIMITER_STORAGE["redis"]).flushdb()  # counts of an earlier run
    server = Gunicorn(target, url, workers, threads, survey_id, args.limiter)
    try:
        forms = issue_forms(server.port, token, args.responses, args.clients) if mode == "post" else None
        ok, failed, latencies, wall, sent = run_load(server.port, mode, token, args.responses, args.clients,
                                                     args.seconds, forms)
        resent_refused = None
        if mode != "baseline" and sent:
            # Send 50 completed submissions again: each must answer (thanks) and store nothing.
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            by_id = {f["submission_id"]: f for f in forms} if forms else {}
            statuses = []
            for sid in sent[:50]:
                fields = by_id.get(sid)
                if fields is None:
                    continue
                statuses.append(post(conn, f"/s/{token}", body_of(fields)))
            conn.close()
            resent_refused = statuses
    finally:
        server.stop()
    stored, answers = count_complete(url, survey_id)
    return {
        "mode": mode, "workers": workers, "threads": threads, "ok": ok, "failed": failed, "wall": wall,
        "rate": ok / wall if wall else 0.0, "median_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": percentile(latencies, 95) * 1000, "stored": stored, "answers": answers,
        "resent": resent_refused, "limiter": "-" if mode == "baseline" else args.limiter,
    }


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return (f"Python {platform.python_version()}, Flask {of('flask')}, SQLAlchemy {of('sqlalchemy')}, "
            f"gunicorn {of('gunicorn')}, psycopg {of('psycopg')}, SQLite {__import__('sqlite3').sqlite_version}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in /tmp")
    parser.add_argument("--responses", type=int, default=3000, help="responses per run (bound)")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--seconds", type=float, default=60, help="time bound per run")
    parser.add_argument("--settings", default="2x4,4x4", help="gunicorn workers x threads, comma separated")
    parser.add_argument("--modes", default="post,get+post,baseline")
    parser.add_argument("--limiter", choices=["off", "memory", "redis"], default="off",
                        help="rate limiter of the real app: off, or counting (limits too high to refuse) "
                             "in memory or in Redis at 127.0.0.1:6379 db 15")
    parser.add_argument("--report", help="append the results as a section of this Markdown file")
    args = parser.parse_args(argv)
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.mkdtemp(prefix="suara-bench-")
        url = f"sqlite:///{tmp}/bench.db"
    survey_id, token = prepare_database(url)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    results = []
    for setting in args.settings.split(","):
        workers, threads = (int(x) for x in setting.split("x"))
        for mode in args.modes.split(","):
            result = measure(args, url, survey_id, token, workers, threads, mode)
            results.append(result)
            print(f"{engine:13} -w {workers} --threads {threads} {mode:9} limiter {result['limiter']:6} "
                  f"{result['rate']:7.1f}/s "
                  f"median {result['median_ms']:6.1f} ms p95 {result['p95_ms']:6.1f} ms ok {result['ok']} "
                  f"failed {result['failed']} stored {result['stored']} answers {result['answers']} "
                  f"resent {sorted(set(result['resent'] or []))}", flush=True)
    if args.report:
        write_report(Path(args.report), engine, args, results)


def write_report(path: Path, engine: str, args, results: list[dict]) -> None:
    lines = [
        f"\n### Collection: complete submissions per second, {engine}\n",
        f"`python -m bench.collect_bench{' --database-url …' if engine.startswith('Postgre') else ''} "
        f"--responses {args.responses} --clients {args.clients} --seconds {args.seconds:g}` on "
        f"{os.cpu_count()} cores (`nproc` = {os.cpu_count()}), {platform.platform()}; {versions()}. "
        "A 10-question one-page survey (11 answer rows per response); load generator in another process "
        f"({args.clients} threads, http.client keep-alive) against 127.0.0.1. `post` = the resident's answering "
        "POST alone (the GETs that issue submission ids ran before the timer); `get+post` = the page GET and the "
        "POST per response, timed together; `baseline` = a bare Flask endpoint inserting the same rows with raw SQL "
        "under the same gunicorn settings. Stored = complete responses counted in the database afterwards; "
        "Resent = statuses when 50 completed submissions were sent again.\n",
        "| gunicorn | mode | limiter | responses/s | median ms | p95 ms | client 2xx/3xx | errors | stored | answer rows "
        "| resent |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        resent = "-" if r["resent"] is None else f"{len(r['resent'])}× {'/'.join(str(s) for s in sorted(set(r['resent'])))}"
        lines.append(f"| -w {r['workers']} --threads {r['threads']} | {r['mode']} | {r['limiter']} | {r['rate']:.0f} | "
                     f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['ok']} | {r['failed']} | {r['stored']} | "
                     f"{r['answers']} | {resent} |")
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
