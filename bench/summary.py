"""Benchmark: time and memory of the full survey summary at 100k / 1M responses.

    .venv/bin/python -m bench.summary --responses 100000 --database sqlite:////tmp/bench-tally/100k.db --load-only
    flock /tmp/suara-bench.lock .venv/bin/python -m bench.summary --responses 100000 \
        --database sqlite:////tmp/bench-tally/100k.db --reuse
    (and the same with --database postgresql://postgres@127.0.0.1/suara_bench_100k)

Without --reuse the database is emptied and rebuilt with the migrations.
Responses are bulk-loaded (executemany on SQLite, COPY on PostgreSQL; never
HTTP or ORM objects one by one) into a 10-question survey; --load-only stops
there, so the load can run outside the benchmark lock and --reuse times an
existing database.

Timed, each beside same-run baselines over the same tables (a bare COUNT(*)
and a plain GROUP BY question_id, option_id, plus the live summary that
scans ``answers``):
  (a) the one-off catch-up fold of all N responses into the tally,
  (b) the summary with everything folded (cold and warm),
  (c) the summary right after 1,000 new unfolded responses (fold + read),
  (d) the results page (summary cache cleared, then cached),
and a filtered view (always live). Peak Python memory of one summary is
measured with tracemalloc; the growth of the process peak during the
catch-up fold (which works in chunks of 50,000 responses) with getrusage.
--catch-up-only times (a) alone; --skip-catch-up times the rest.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
import tracemalloc
from datetime import datetime, timedelta

import numpy as np

QUESTIONS = [
    {"code": "gender", "type": "single_choice", "metric_role": "demographic:gender", "n": 2},
    {"code": "rw", "type": "single_choice", "metric_role": "demographic:rw", "n": 5},
    {"code": "services", "type": "multiple_choice", "n": 5},
    {"code": "overall", "type": "likert", "metric_role": "satisfaction", "n": 5},
    {"code": "aspects", "type": "matrix", "n": 5},
    {"code": "recommend", "type": "rating_0_10", "metric_role": "recommend"},
    {"code": "trust", "type": "rating_0_10", "metric_role": "trust:council"},
    {"code": "priorities", "type": "ranking", "n": 4},
    {"code": "age", "type": "number"},
    {"code": "comment", "type": "long_text"},
]
WORDS = "jalan rusak lampu mati air bersih kurang puas sekali pelayanan cepat lambat sampah banjir posyandu".split()


def definition() -> dict:
    def t(x):
        return {"id": x, "en": x}

    questions = []
    for q in QUESTIONS:
        entry = {"code": q["code"], "type": q["type"], "title": t(q["code"])}
        if q.get("metric_role"):
            entry["metric_role"] = q["metric_role"]
        if q.get("n"):
            entry["options"] = [{"code": f"o{k}", "label": t(f"o{k}"), "value": k + 1} for k in range(q["n"])]
        if q["type"] == "likert":
            entry["settings"] = {"points": 5}
        if q["type"] == "matrix":
            entry["items"] = [{"code": "i1", "label": t("i1")}, {"code": "i2", "label": t("i2")}]
        questions.append(entry)
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": t("Benchmark"),
        "pages": [{"questions": questions}],
    }


def build_rows(survey, start_id: int, count: int, answer_id: int, rng):
    """Response and answer tuples for ``count`` responses, vectorised."""
    q = {x.code: x for x in survey.questions}
    opts = {code: [o for o in q[code].options if o.kind == "choice"] for code in q}
    items = [o for o in q["aspects"].options if o.kind == "item"]
    ids = np.arange(start_id, start_id + count)
    base = datetime(2026, 1, 1)
    minutes = rng.integers(0, 60 * 24 * 90, count)
    durations = rng.integers(60, 1200, count)
    channels = rng.choice(["link", "qr", "paper"], count, p=[0.7, 0.2, 0.1])
    languages = rng.choice(["id", "en"], count, p=[0.9, 0.1])
    responses = [
        (
            int(i),
            survey.id,
            f"bench-{i}",
            "complete",
            str(ch),
            str(lang),
            base + timedelta(minutes=int(m)),
            base + timedelta(minutes=int(m), seconds=int(d)),
            int(d),
            False,
        )
        for i, m, d, ch, lang in zip(ids, minutes, durations, channels, languages)
    ]
    answers = []

    def add(rid, qcode, option=None, item=None, num=None, text=None):
        nonlocal answer_id
        answers.append((answer_id, int(rid), q[qcode].id, option, item, num, text))
        answer_id += 1

    gender = rng.integers(0, 2, count)
    rw = rng.integers(0, 5, count)
    overall = rng.choice(5, count, p=[0.05, 0.1, 0.25, 0.35, 0.25])
    speed, staff = rng.integers(0, 5, count), rng.integers(0, 5, count)
    recommend, trust = rng.integers(0, 11, count), rng.integers(0, 11, count)
    age = rng.integers(17, 90, count)
    services = rng.random((count, 5)) < 0.35
    ranks = np.argsort(rng.random((count, 4)), axis=1)
    has_comment = rng.random(count) < 0.2
    for k, rid in enumerate(ids):
        add(rid, "gender", opts["gender"][gender[k]].id, num=float(gender[k] + 1))
        add(rid, "rw", opts["rw"][rw[k]].id, num=float(rw[k] + 1))
        for j in np.flatnonzero(services[k]):
            add(rid, "services", opts["services"][j].id, num=1.0)
        add(rid, "overall", opts["overall"][overall[k]].id, num=float(overall[k] + 1))
        add(rid, "aspects", opts["aspects"][speed[k]].id, items[0].id, float(speed[k] + 1))
        add(rid, "aspects", opts["aspects"][staff[k]].id, items[1].id, float(staff[k] + 1))
        add(rid, "recommend", num=float(recommend[k]))
        add(rid, "trust", num=float(trust[k]))
        for j, rank in enumerate(ranks[k]):
            add(rid, "priorities", opts["priorities"][j].id, num=float(rank + 1))
        add(rid, "age", num=float(age[k]))
        if has_comment[k]:
            add(rid, "comment", text=" ".join(rng.choice(WORDS, 4)))
    return responses, answers, answer_id


RESPONSE_COLS = (
    "id",
    "survey_id",
    "submission_id",
    "status",
    "channel",
    "language",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "flagged",
)
ANSWER_COLS = ("id", "response_id", "question_id", "option_id", "item_id", "value_num", "value_text")
ANSWER_INDEXES = (
    "ix_answers_question_option",
    "ix_answers_question_item_option",
    "ix_answers_question_value",
    "ix_answers_response_id",
    "ix_answers_question_text",
    "ix_responses_survey_unfolded",
)


def insert_rows(cursor, dialect: str, responses: list, answers: list) -> None:
    if dialect == "sqlite":
        cursor.executemany(
            f"INSERT INTO responses ({','.join(RESPONSE_COLS)}) VALUES ({','.join('?' * len(RESPONSE_COLS))})",
            responses,
        )
        cursor.executemany(
            f"INSERT INTO answers ({','.join(ANSWER_COLS)}) VALUES ({','.join('?' * len(ANSWER_COLS))})", answers
        )
    else:
        with cursor.copy(f"COPY responses ({','.join(RESPONSE_COLS)}) FROM STDIN") as copy:
            for row in responses:
                copy.write_row(row)
        with cursor.copy(f"COPY answers ({','.join(ANSWER_COLS)}) FROM STDIN") as copy:
            for row in answers:
                copy.write_row(row)


def append(db, survey, count: int, seed: int) -> None:
    """``count`` new complete responses after the existing ones (indexes kept)."""
    from sqlalchemy import text

    first = db.session.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM responses")).scalar_one()
    answer_id = db.session.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM answers")).scalar_one()
    db.session.commit()
    responses, answers, _next = build_rows(survey, first, count, answer_id, np.random.default_rng(seed))
    raw = db.engine.raw_connection()
    try:
        insert_rows(raw.cursor(), db.engine.dialect.name, responses, answers)
        raw.commit()
    finally:
        raw.close()


def load(db, survey, total: int, chunk: int = 50_000) -> float:
    """Bulk-load ``total`` complete responses; returns seconds."""
    rng = np.random.default_rng(42)
    started = time.perf_counter()
    dialect = db.engine.dialect.name
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        index_sql = []
        for name in ANSWER_INDEXES:  # drop while loading, build once at the end
            if dialect == "sqlite":
                row = cursor.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            else:
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (name,))
                row = cursor.fetchone()
            if row:
                index_sql.append(row[0])
                cursor.execute(f"DROP INDEX {name}")
        answer_id = 1
        for start in range(1, total + 1, chunk):
            responses, answers, answer_id = build_rows(survey, start, min(chunk, total - start + 1), answer_id, rng)
            insert_rows(cursor, dialect, responses, answers)
            raw.commit()
            print(
                f"  loaded {min(start + chunk - 1, total):,} responses, {answer_id - 1:,} answers "
                f"({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
        for sql in index_sql:
            cursor.execute(sql)
        if dialect == "postgresql":
            cursor.execute(f"SELECT setval('responses_id_seq', {total})")
            cursor.execute(f"SELECT setval('answers_id_seq', {answer_id})")
            cursor.execute("ANALYZE responses")
            cursor.execute("ANALYZE answers")
            raw.commit()
        else:
            cursor.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """(first, best of the following) wall-clock seconds."""
    first_start = time.perf_counter()
    fn()
    first = time.perf_counter() - first_start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return first, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-only", action="store_true", help="Build and load the database, time nothing.")
    parser.add_argument("--reuse", action="store_true", help="Time a database loaded before with --load-only.")
    parser.add_argument("--no-live", action="store_true", help="Skip the live summaries (full and filtered).")
    parser.add_argument(
        "--catch-up-only", action="store_true", help="Time only (a), the catch-up fold of every response, then stop."
    )
    parser.add_argument(
        "--skip-catch-up", action="store_true", help="Do not time (a); fold any backlog untimed and time the rest."
    )
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import text

    from config import normalise_database_url
    from surveyapp import create_app
    from surveyapp.accounts.models import User
    from surveyapp.analytics import cache, tally
    from surveyapp.analytics.filters import Filters
    from surveyapp.analytics.summary import build_summary
    from surveyapp.extensions import db
    from surveyapp.orgs.models import Membership, Organisation
    from surveyapp.surveys.models import Survey
    from surveyapp.surveys.services import create_from_definition

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=normalise_database_url(args.database), WTF_CSRF_ENABLED=False)
    with app.app_context():
        load_seconds = None
        if args.reuse:
            survey = db.session.execute(db.select(Survey).order_by(Survey.id)).scalars().first()
            user = db.session.execute(db.select(User).where(User.email == "bench@suara.test")).scalar_one()
            # Responses appended by earlier runs (step c) stay, and are folded.
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
            org = Organisation(name="Bench", slug="bench")
            db.session.add(org)
            db.session.flush()
            user = User(email="bench@suara.test", name="Bench")
            user.set_password("bench password 1234")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, organisation_id=org.id, role="viewer"))
            db.session.commit()
            survey = create_from_definition(org.id, None, definition())
            load_seconds = round(load(db, survey, args.responses), 1)
        n_answers = db.session.execute(text("SELECT COUNT(*) FROM answers")).scalar_one()
        if args.load_only:
            print(json.dumps({"responses": args.responses, "answers": n_answers, "load_seconds": load_seconds}))
            return

        def count_all():
            db.session.execute(text("SELECT COUNT(*) FROM answers")).scalar_one()

        def plain_group_by():
            db.session.execute(
                text("SELECT question_id, option_id, COUNT(*) FROM answers GROUP BY question_id, option_id")
            ).all()

        completes = db.session.execute(text("SELECT COUNT(*) FROM responses WHERE status = 'complete'")).scalar_one()
        results = {"count_star": timed(count_all, args.repeat), "group_by": timed(plain_group_by, args.repeat)}

        # (a) the one-off catch-up: every response unfolded, then one fold.
        rss_before = rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.skip_catch_up:
            tally.fold(survey.id)  # a backlog left by an earlier run, untimed
        else:
            tally.reset(survey.id)
            db.session.commit()
            start = time.perf_counter()
            folded = tally.fold(survey.id)
            results["catch_up_fold"] = (time.perf_counter() - start, None)
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            assert folded == completes, (folded, completes)
        assert tally.state(survey.id)[0] == completes
        if args.catch_up_only:
            print(
                json.dumps(
                    {
                        "responses": completes,
                        "dialect": db.engine.dialect.name,
                        "catch_up_fold_seconds": round(results["catch_up_fold"][0], 1),
                        "catch_up_fold_maxrss_growth_mib": round((rss_after - rss_before) / 1024, 1),
                        "process_maxrss_mib": round(rss_after / 1024, 1),
                    }
                )
            )
            return

        # (b) everything folded.
        results["summary_tally"] = timed(lambda: build_summary(survey), args.repeat)
        tracemalloc.start()
        build_summary(survey)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        doc = build_summary(survey)

        # (c) 1,000 new responses arrive before each summary: fold (the
        # completion job's, surveyapp/jobs/; a summary never folds) + read.
        after_new = []
        for k in range(args.repeat):
            append(db, survey, 1_000, seed=1000 + k)
            start = time.perf_counter()
            tally.fold(survey.id)
            build_summary(survey)
            after_new.append(time.perf_counter() - start)
        results["summary_after_1000_new"] = (after_new[0], min(after_new[1:] or after_new))

        if not args.no_live:
            results["summary_live_scan"] = (timed(lambda: build_summary(survey, live=True), 0)[0], None)
            filtered = Filters(channels=("link", "qr"))
            results["filtered_summary_live"] = (timed(lambda: build_summary(survey, filtered), 0)[0], None)

        # (d) the results page.
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id() if hasattr(user, "get_id") else str(user.id)
            session["_fresh"] = True
            # The login's session version (accounts/auth.py refuses a session without it).
            from surveyapp.accounts.auth import SESSION_VERSION_KEY

            session[SESSION_VERSION_KEY] = user.session_version

        def page():
            cache.summaries.clear()
            response = client.get(f"/surveys/{survey.id}/results")
            assert response.status_code == 200, response.status_code

        def page_cached():
            response = client.get(f"/surveys/{survey.id}/results")
            assert response.status_code == 200

        results["page"] = timed(page, args.repeat)
        results["page_cached"] = timed(page_cached, args.repeat)

        server = db.session.execute(
            text("SELECT sqlite_version()" if db.engine.dialect.name == "sqlite" else "SHOW server_version")
        ).scalar_one()
        import sqlalchemy

        report = {
            "responses": completes,
            "answers": n_answers,
            "dialect": db.engine.dialect.name,
            "server_version": server,
            "load_seconds": load_seconds,
            "timings_first_best": {
                k: [round(a, 3), None if b is None else round(b, 3)] for k, (a, b) in results.items()
            },
            "summary_peak_python_mib": round(peak / 2**20, 2),
            "catch_up_fold_maxrss_growth_mib": round((rss_after - rss_before) / 1024, 1),
            "process_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "summary_n": doc["n"],
            "python": platform.python_version(),
            "sqlalchemy": sqlalchemy.__version__,
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
        }
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
