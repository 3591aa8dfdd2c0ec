"""Benchmark: the programme dashboard (the metric set of docs/metrics.md) at 100k participants / 1M responses.

    .venv/bin/python -m bench.programme_bench --responses 1000000 --participants 100000 \\
        --database sqlite:////tmp/suara-programme-bench.db [--append docs/benchmarks.md]

The database is emptied and rebuilt with the migrations, then loaded in bulk
(executemany on the driver connection, never ORM objects one by one): two
waves of a survey in one programme (satisfaction, recommend, trust, relations,
gender, age band, a comment on 2% of responses), 60% of responses linked to
one of the participants, 200 activities with 500 check-ins each. It times the
metric set of a year window with its 4-window trend (cold and warm), the
dashboard page and the CSV download, beside baselines measured in the same run
on the same tables: COUNT(*) of the window's responses and COUNT(*) of their
answers (the scan every metric needs at least once).
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sqlite3
import sys
import time
import uuid
from datetime import date, datetime, timedelta

CHUNK = 50_000


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--database", default="sqlite:////tmp/suara-programme-bench.db")
    parser.add_argument("--window", default="2026")
    parser.add_argument("--append", help="Markdown file to append the results section to.")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure an already loaded benchmark database (no rebuild)."
    )
    args = parser.parse_args(argv)

    import sqlalchemy
    from flask_migrate import upgrade
    from sqlalchemy import text

    from config import normalise_database_url
    from surveyapp import create_app
    from surveyapp.accounts.models import User
    from surveyapp.extensions import db
    from surveyapp.orgs.models import Membership, Organisation
    from surveyapp.programmes import services
    from surveyapp.programmes.metrics import compute_set
    from surveyapp.programmes.windows import parse_window
    from surveyapp.surveys.services import create_from_definition
    from tests.programmes.builders import definition

    url = normalise_database_url(args.database)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    rng = random.Random(2026)
    with app.app_context():
        if args.reuse:
            from surveyapp.programmes.models import Programme

            programme = db.session.execute(db.select(Programme).filter_by(name="Bench programme")).scalar_one()
            programme_id = programme.id
            survey_ids = [link.survey_id for link in programme.links]
            load_seconds = float("nan")
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
            org = Organisation(name="Bench", slug="bench")
            db.session.add(org)
            db.session.flush()
            user = User(email="bench@suara.test", name="Bench")
            user.set_password("bench password 2026")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, organisation_id=org.id, role="owner"))
            db.session.commit()
            programme = services.create_programme(
                org.id,
                name="Bench programme",
                area=None,
                description=None,
                starts_on=date(2026, 1, 1),
                ends_on=None,
                community_size=args.participants * 3,
            )
            services.set_margins(
                programme,
                {
                    "gender": {"female": args.participants * 3 // 2, "male": args.participants * 3 // 2},
                    "age_band": {
                        "under_18": args.participants,
                        "18_29": args.participants // 2,
                        "30_44": args.participants // 2,
                        "45_59": args.participants // 2,
                        "60_plus": args.participants // 2,
                    },
                },
            )
            waves = [create_from_definition(org.id, None, definition(f"Wave {k}")) for k in (1, 2)]
            for k, survey in enumerate(waves, start=1):
                services.link_survey(programme, survey, series="pulse", wave=k)
            org_id, programme_id = org.id, programme.id
            qmaps = []
            for survey in waves:
                qs = {q.code: q for q in survey.questions}
                qmaps.append({code: (q.id, {o.code: (o.id, o.value) for o in q.options}) for code, q in qs.items()})
            survey_ids = [s.id for s in waves]

            load_start = time.perf_counter()
            raw = db.engine.raw_connection()
            cur = raw.cursor()
            param = "?" if isinstance(raw.driver_connection, sqlite3.Connection) else "%s"

            def many(sql, rows):
                for i in range(0, len(rows), CHUNK):
                    cur.executemany(sql.replace("?", param), rows[i : i + CHUNK])

            now = datetime(2026, 1, 1)
            many(
                "INSERT INTO participants (id, organisation_id, identity_hash, pseudonym, created_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (k + 1, org_id, uuid.UUID(int=rng.getrandbits(128)).hex + "00" * 16, f"P-{k:06X}", now)
                    for k in range(args.participants)
                ],
            )
            activity_rows, attendance_rows = [], []
            for a in range(200):
                held = date(2026, 1, 1) + timedelta(days=a * 365 // 200)
                activity_rows.append(
                    (
                        a + 1,
                        org_id,
                        programme_id,
                        f"Activity {a}",
                        "forum",
                        held,
                        rng.randint(400, 700),
                        uuid.uuid4().hex[:24],
                        True,
                        now,
                    )
                )
                for pid in rng.sample(range(1, args.participants + 1), 500):
                    attendance_rows.append((a + 1, pid, "qr", now))
            many(
                "INSERT INTO activities (id, organisation_id, programme_id, title, kind, held_on, head_count, checkin_token, checkin_open, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                activity_rows,
            )
            many(
                "INSERT INTO attendances (activity_id, participant_id, channel, checked_in_at) VALUES (?, ?, ?, ?)",
                attendance_rows,
            )
            channels = ["link", "qr", "paper", "kiosk", "invitation"]
            done, response_id, answer_id = 0, 0, 0
            while done < args.responses:
                batch = min(CHUNK, args.responses - done)
                responses, answers = [], []
                for _ in range(batch):
                    response_id += 1
                    wave = 0 if response_id % 2 else 1
                    q = qmaps[wave]
                    day = (response_id * 7919) % 180 + (0 if wave == 0 else 180)
                    when = datetime(2026, 1, 1) + timedelta(days=day, seconds=rng.randint(0, 86_000))
                    duration = rng.randint(60, 1200)
                    pid = rng.randint(1, args.participants) if rng.random() < 0.6 else None
                    responses.append(
                        (
                            response_id,
                            survey_ids[wave],
                            uuid.UUID(int=rng.getrandbits(128)).hex,
                            "complete",
                            channels[response_id % 5],
                            "id",
                            when - timedelta(seconds=duration),
                            when,
                            duration,
                            pid,
                            False,
                        )
                    )
                    level = str(rng.choice("12334455"))
                    for code, value in (
                        ("overall", level),
                        ("belong", str(rng.randint(1, 5))),
                        ("gender", rng.choice(("female", "male", "male"))),
                    ):
                        oid, num = q[code][1][value]
                        answer_id += 1
                        answers.append((answer_id, response_id, q[code][0], oid, num, None))
                    for code in ("trust_lg", "recommend"):
                        answer_id += 1
                        answers.append((answer_id, response_id, q[code][0], None, float(rng.randint(0, 10)), None))
                    if rng.random() < 0.02:
                        answer_id += 1
                        answers.append((answer_id, response_id, q["comment"][0], None, None, "Lampu jalan mati"))
                many(
                    "INSERT INTO responses (id, survey_id, submission_id, status, channel, language, started_at, submitted_at, duration_seconds, participant_id, flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    responses,
                )
                many(
                    "INSERT INTO answers (id, response_id, question_id, option_id, value_num, value_text) VALUES (?, ?, ?, ?, ?, ?)",
                    answers,
                )
                raw.commit()
                done += batch
            if param == "%s":
                for table in ("participants", "activities", "attendances", "responses", "answers"):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
                cur.execute("ANALYZE")
            else:
                cur.execute("ANALYZE")
            raw.commit()
            raw.close()
            load_seconds = time.perf_counter() - load_start

        programme = db.session.get(type(programme), programme_id)
        window = parse_window(args.window)
        start, end = window.utc_bounds()
        ids = ",".join(str(i) for i in survey_ids)
        base_count, n_resp = timed(
            lambda: db.session.execute(
                text(
                    f"SELECT COUNT(*) FROM responses WHERE survey_id IN ({ids}) AND status = 'complete' "
                    "AND submitted_at >= :s AND submitted_at < :e"
                ),
                {"s": start, "e": end},
            ).scalar_one()
        )
        base_answers, n_ans = timed(
            lambda: db.session.execute(
                text(
                    f"SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.survey_id IN ({ids}) "
                    "AND r.status = 'complete' AND r.submitted_at >= :s AND r.submitted_at < :e"
                ),
                {"s": start, "e": end},
            ).scalar_one()
        )
        from surveyapp.programmes.services import sync_survey_feedback

        # The completion job copies the bulk-loaded comments into feedback
        # items (surveyapp/jobs/); the metric set itself only reads.
        sync_survey_feedback(programme)
        with app.test_request_context():
            cold, result = timed(lambda: compute_set(programme, window))
            warm, result = timed(lambda: compute_set(programme, window))
            no_trend, _ = timed(lambda: compute_set(programme, window, trend=0))
        client = app.test_client()
        client.post("/login", data={"email": "bench@suara.test", "password": "bench password 2026"})
        page_s, page = timed(lambda: client.get(f"/programmes/{programme_id}?window={window.key}"))
        csv_s, csv_resp = timed(lambda: client.get(f"/programmes/{programme_id}/metrics.csv?window={window.key}"))
        assert page.status_code == 200 and csv_resp.status_code == 200, (page.status_code, csv_resp.status_code)
        m1 = next(m for m in result["metrics"] if m["code"] == "M1")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        dialect = db.engine.dialect.name
        version = (
            sqlite3.sqlite_version
            if dialect == "sqlite"
            else db.session.execute(text("SHOW server_version")).scalar_one()
        )

    lines = [
        "",
        f"## Programme dashboard (metric set M1-M12, E1-E5): {args.responses:,} responses, {args.participants:,} participants, {dialect}",
        "",
        f"`bench/programme_bench.py --responses {args.responses} --participants {args.participants} --window {args.window}`, "
        f"run {datetime.now().date().isoformat()} on {platform.machine()} {platform.processor() or ''} ({_cpu()}), "
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, {dialect} {version}.",
        f"Data: 2 survey waves, {n_ans:,} answers in the window, 100,000 check-ins at 200 activities, "
        f"~2% of responses with a comment (read into feedback items). M1 = {m1['value']:,}.",
        "",
        "| What | Seconds |",
        "|---|---|",
        f"| bulk load (not part of the dashboard) | {'database reused' if args.reuse else f'{load_seconds:.1f}'} |",
        f"| baseline: COUNT(*) of the window's {n_resp:,} responses | {base_count:.3f} |",
        f"| baseline: COUNT(*) of their {n_ans:,} answers (join) | {base_answers:.3f} |",
        f"| metric set, window {window.key} + 4 previous windows, cold | {cold:.3f} |",
        f"| metric set, same, warm | {warm:.3f} |",
        f"| metric set, window only (no trend) | {no_trend:.3f} |",
        f"| dashboard page (metric set + flags + 8 SVG charts + render) | {page_s:.3f} |",
        f"| CSV download | {csv_s:.3f} |",
        "",
        f"Peak process memory (ru_maxrss): {peak_mb:,.0f} MB.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as handle:
            handle.write(report)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
        import os

        return f"{model}, {os.cpu_count()} CPUs"
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
