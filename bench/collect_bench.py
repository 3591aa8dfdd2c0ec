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
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from bench.live import (  # noqa: F401 (create_bench_app: the gunicorn target of earlier runs)
    LIMITER_STORAGE,
    Gunicorn,
    answer_warm_up,
    body_of,
    create_bench_app,
    db_url,
    get_form,
    post,
    prepare_database,
    versions,
)

QUESTIONS = 10

# ---- the apps gunicorn serves (the real one is live.create_bench_app) ------------------


def create_baseline_app():
    """A bare Flask endpoint: the same rows as a real submission, raw SQL."""
    from flask import Flask, request
    from sqlalchemy import create_engine, event, text

    engine = create_engine(db_url(os.environ["DATABASE_URL"]), pool_pre_ping=False)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def pragmas(conn, _record):
            cursor = conn.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    survey_id = int(os.environ["BENCH_SURVEY_ID"])
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT q.id, MIN(o.id) FROM questions q LEFT JOIN options o ON o.question_id = q.id "
                "WHERE q.survey_id = :s GROUP BY q.id ORDER BY q.id"
            ),
            {"s": survey_id},
        ).all()
    answers = [(qid, oid) for qid, oid in rows] + [(rows[0][0], rows[0][1])]  # 11 rows like the real one
    app = Flask(__name__)

    @app.post("/bare")
    def bare():
        submission_id = request.form["submission_id"]
        with engine.begin() as conn:
            existing = conn.execute(
                text("SELECT id FROM responses WHERE submission_id = :s"), {"s": submission_id}
            ).first()
            if existing:
                return "", 303
            response_id = conn.execute(
                text(
                    "INSERT INTO responses (survey_id, submission_id, status, channel, language, started_at, submitted_at, "
                    "flagged) VALUES (:survey, :sid, 'complete', 'link', 'id', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false) "
                    "RETURNING id"
                ),
                {"survey": survey_id, "sid": submission_id},
            ).scalar_one()
            conn.execute(
                text("INSERT INTO answers (response_id, question_id, option_id, value_num) VALUES (:r, :q, :o, 1)"),
                [{"r": response_id, "q": q, "o": o} for q, o in answers],
            )
        return "", 303

    return answer_warm_up(app)


# ---- set-up ---------------------------------------------------------------------------


def count_complete(url: str, survey_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(db_url(url))
    with engine.connect() as conn:
        responses = conn.execute(
            sql("SELECT COUNT(*) FROM responses WHERE survey_id = :s AND status = 'complete'"), {"s": survey_id}
        ).scalar_one()
        answers = conn.execute(
            sql("SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.survey_id = :s"),
            {"s": survey_id},
        ).scalar_one()
    engine.dispose()
    return responses, answers


def reset_responses(url: str, survey_id: int) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(db_url(url))
    with engine.begin() as conn:
        conn.execute(
            sql("DELETE FROM answers WHERE response_id IN (SELECT id FROM responses WHERE survey_id = :s)"),
            {"s": survey_id},
        )
        conn.execute(sql("DELETE FROM responses WHERE survey_id = :s"), {"s": survey_id})
    engine.dispose()


# ---- load generator ---------------------------------------------------------------------


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
    threads = [
        threading.Thread(target=worker, args=(min(share, total - i * share),))
        for i in range(clients)
        if total - i * share > 0
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return forms


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def measure(args, url, survey_id, token, workers, threads, mode) -> dict:
    reset_responses(url, survey_id)
    target = "bench.collect_bench:create_baseline_app()" if mode == "baseline" else "bench.live:create_bench_app()"
    if args.limiter == "redis":
        import redis

        redis.Redis.fromdb_url(LIMITER_STORAGE["redis"]).flushdb()  # counts of an earlier run
    server = Gunicorn(target, url, workers, threads, survey_id, args.limiter)
    try:
        forms = issue_forms(server.port, token, args.responses, args.clients) if mode == "post" else None
        ok, failed, latencies, wall, sent = run_load(
            server.port, mode, token, args.responses, args.clients, args.seconds, forms
        )
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
        "mode": mode,
        "workers": workers,
        "threads": threads,
        "ok": ok,
        "failed": failed,
        "wall": wall,
        "rate": ok / wall if wall else 0.0,
        "median_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": percentile(latencies, 95) * 1000,
        "stored": stored,
        "answers": answers,
        "resent": resent_refused,
        "limiter": "-" if mode == "baseline" else args.limiter,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in /tmp")
    parser.add_argument("--responses", type=int, default=3000, help="responses per run (bound)")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--seconds", type=float, default=60, help="time bound per run")
    parser.add_argument("--settings", default="2x4,4x4", help="gunicorn workers x threads, comma separated")
    parser.add_argument("--modes", default="post,get+post,baseline")
    parser.add_argument(
        "--limiter",
        choices=["off", "memory", "redis"],
        default="off",
        help="rate limiter of the real app: off, or counting (limits too high to refuse) "
        "in memory or in Redis at 127.0.0.1:6379 db 15",
    )
    parser.add_argument("--report", help="append the results as a section of this Markdown file")
    args = parser.parse_args(argv)
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.mkdtemp(prefix="suara-bench-")
        url = f"sqlite:///{tmp}/bench.db"
    survey_id, token, _ = prepare_database(url)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    results = []
    for setting in args.settings.split(","):
        workers, threads = (int(x) for x in setting.split("x"))
        for mode in args.modes.split(","):
            result = measure(args, url, survey_id, token, workers, threads, mode)
            results.append(result)
            print(
                f"{engine:13} -w {workers} --threads {threads} {mode:9} limiter {result['limiter']:6} "
                f"{result['rate']:7.1f}/s "
                f"median {result['median_ms']:6.1f} ms p95 {result['p95_ms']:6.1f} ms ok {result['ok']} "
                f"failed {result['failed']} stored {result['stored']} answers {result['answers']} "
                f"resent {sorted(set(result['resent'] or []))}",
                flush=True,
            )
    if args.report:
        write_report(Path(args.report), engine, args, results)


def write_report(path: Path, engine: str, args, results: list[dict]) -> None:
    lines = [
        f"\n### Collection: complete submissions per second, {engine}\n",
        (
            f"`python -m bench.collect_bench{' --database-url …' if engine.startswith('Postgre') else ''} "
            f"--responses {args.responses} --clients {args.clients} --seconds {args.seconds:g}` on "
            f"{os.cpu_count()} cores (`nproc` = {os.cpu_count()}), {platform.platform()}; {versions()}. "
            "A 10-question one-page survey (11 answer rows per response); load generator in another process "
            f"({args.clients} threads, http.client keep-alive) against 127.0.0.1. `post` = the resident's answering "
            "POST alone (the GETs that issue submission ids ran before the timer); `get+post` = the page GET and the "
            "POST per response, timed together; `baseline` = a bare Flask endpoint inserting the same rows with raw SQL "
            "under the same gunicorn settings. Stored = complete responses counted in the database afterwards; "
            "Resent = statuses when 50 completed submissions were sent again.\n"
        ),
        (
            "| gunicorn | mode | limiter | responses/s | median ms | p95 ms | client 2xx/3xx | errors | stored | answer rows "
            "| resent |"
        ),
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        resent = (
            "-" if r["resent"] is None else f"{len(r['resent'])}× {'/'.join(str(s) for s in sorted(set(r['resent'])))}"
        )
        lines.append(
            f"| -w {r['workers']} --threads {r['threads']} | {r['mode']} | {r['limiter']} | {r['rate']:.0f} | "
            f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['ok']} | {r['failed']} | {r['stored']} | "
            f"{r['answers']} | {resent} |"
        )
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
