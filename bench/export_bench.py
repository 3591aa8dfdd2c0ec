"""Export benchmark: rows per second and peak memory growth of the CSV,
XLSX and SPSS exports beside a bare-cursor CSV baseline, and the time of a
PDF report of a 30-question survey.

    .venv/bin/python bench/export_bench.py --responses 100000 [--formats csv,xlsx,sav] [--database-url URL] [--keep]

Without --database-url a throw-away SQLite file in /tmp is used. Data are
bulk-loaded with executemany, then their answer sheets are filled
(``sheets.fill``, timed and printed: what ``flask surveys fill-sheets`` does
after a bulk load; responses completed through the app have theirs already). With ``--keep`` the database is neither
dropped nor emptied and a bench survey with exactly ``--responses``
responses is reused when there is one (loading 1M responses takes minutes).
Memory is the peak growth of the process RSS (sampled every 10 ms) over its
size when the export starts; the last column is the process's CPU time
(with SQLite that includes the database's work, with PostgreSQL not). Only the timed part holds the shared lock
``/tmp/suara-bench.lock`` (``--lock``), so loads do not block other
benchmarks and timings do not collide.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import os
import platform
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    def __enter__(self):
        self.start = rss_mb()
        self.peak = self.start
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self):
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.01)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.growth = self.peak - self.start


@contextlib.contextmanager
def bench_lock(path: str | None):
    """The machine's shared benchmark lock (flock), held while timing."""
    if not path:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def find_loaded(n: int) -> int | None:
    """A bench survey left by an earlier --keep run with exactly n responses."""
    from surveyapp.extensions import db

    return db.session.execute(
        db.text(
            "select s.id from surveys s join organisations o on o.id = s.organisation_id "
            "where o.slug like 'bench-%' and (select count(*) from responses r where r.survey_id = s.id) = :n "
            "order by s.id limit 1"
        ),
        {"n": n},
    ).scalar()


def t(text):
    return {"id": text}


def opts(*codes):
    return [{"code": c, "label": t(f"Pilihan {c}")} for c in codes]


TEN = [
    {"code": "gender", "type": "single_choice", "title": t("Jenis kelamin"), "options": opts("f", "m")},
    {"code": "rw", "type": "single_choice", "title": t("RW"), "options": opts("rw1", "rw2", "rw3", "rw4")},
    {"code": "age_band", "type": "single_choice", "title": t("Umur"), "options": opts("a", "b", "c", "d", "e")},
    {"code": "used", "type": "yes_no", "title": t("Pernah memakai layanan?")},
    {
        "code": "services",
        "type": "multiple_choice",
        "title": t("Layanan"),
        "options": opts("clinic", "school", "market", "road"),
    },
    {
        "code": "overall",
        "type": "likert",
        "title": t("Kepuasan"),
        "settings": {"points": 5},
        "options": [{"code": str(v), "label": t(str(v)), "value": v} for v in range(1, 6)],
    },
    {"code": "recommend", "type": "rating_0_10", "title": t("Rekomendasi")},
    {"code": "people", "type": "number", "title": t("Jumlah orang"), "settings": {"integer": True}},
    {"code": "visit", "type": "date", "title": t("Tanggal kunjungan")},
    {"code": "comment", "type": "short_text", "title": t("Komentar")},
]


def make_app(url: str):
    from config import normalise_database_url
    from surveyapp import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=normalise_database_url(url))


def load(app, n: int, questions=TEN, organisation_id: int | None = None) -> int:
    """A survey with ``questions`` and ``n`` complete responses, in a new
    organisation unless ``organisation_id`` is given; returns its id."""
    from surveyapp.extensions import db
    from surveyapp.orgs.models import Organisation
    from surveyapp.surveys.services import create_from_definition

    if organisation_id is None:
        org = Organisation(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        db.session.add(org)
        db.session.commit()
        organisation_id = org.id
    survey = create_from_definition(
        organisation_id,
        None,
        {
            "format": "suara-survey",
            "version": 1,
            "kind": "custom",
            "languages": ["id"],
            "default_language": "id",
            "title": t("Bench"),
            "pages": [{"questions": questions}],
        },
    )
    qs = {q.code: q for q in survey.questions}
    rng = random.Random(7)
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    param = "%s" if db.engine.dialect.name == "postgresql" else "?"
    start_id = (db.session.execute(db.text("select coalesce(max(id), 0) from responses")).scalar() or 0) + 1
    base = datetime(2026, 1, 1)
    chunk = 20_000
    for first in range(0, n, chunk):
        responses, answers = [], []
        for k in range(first, min(n, first + chunk)):
            rid = start_id + k
            submitted = base + timedelta(seconds=k * 7)
            responses.append(
                (
                    rid,
                    survey.id,
                    str(uuid.uuid4()),
                    "complete",
                    "link",
                    "id",
                    submitted - timedelta(seconds=300),
                    submitted,
                    300,
                    False,
                )
            )
            for q in qs.values():
                choices = [o for o in q.options if o.kind == "choice"]
                if q.type in ("single_choice", "yes_no", "likert"):
                    o = rng.choice(choices)
                    answers.append((rid, q.id, o.id, None, o.value, None))
                elif q.type == "multiple_choice":
                    for o in rng.sample(choices, rng.randint(1, 2)):
                        answers.append((rid, q.id, o.id, None, 1.0, None))
                elif q.type == "rating_0_10":
                    answers.append((rid, q.id, None, None, float(rng.randint(0, 10)), None))
                elif q.type == "number":
                    answers.append((rid, q.id, None, None, float(rng.randint(1, 12)), None))
                elif q.type == "date":
                    d = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400))
                    answers.append((rid, q.id, None, None, float((d - date(1970, 1, 1)).days), d.isoformat()))
                elif q.type in ("short_text", "long_text"):
                    answers.append(
                        (rid, q.id, None, None, None, rng.choice(["Jalan rusak", "Bagus", "=1+1", "Air bersih kurang"]))
                    )
        cursor.executemany(
            "insert into responses (id, survey_id, submission_id, status, channel, language, started_at, submitted_at, "
            f"duration_seconds, flagged) values ({', '.join([param] * 10)})",
            responses,
        )
        cursor.executemany(
            "insert into answers (response_id, question_id, option_id, item_id, value_num, value_text) "
            f"values ({', '.join([param] * 6)})",
            answers,
        )
        raw.commit()
    if db.engine.dialect.name == "postgresql":
        # The ids above were given, so the sequence did not move: move it,
        # or the next response stored through the app collides with them.
        cursor.execute("select setval(pg_get_serial_sequence('responses', 'id'), (select max(id) from responses))")
        raw.commit()
    raw.close()
    return survey.id


def after_load(survey_id: int) -> int:
    """What an operator does after a bulk load; returns the sheets filled.

    Bulk loads skip the services that write each response's answer sheet
    at completion, so they are filled here; PostgreSQL then gets planner
    statistics (autovacuum would, where it is on; this machine's is off):
    without them it guessed one row per survey and sorted the whole survey
    for every batch. SQLite planned well without."""
    from surveyapp.extensions import db
    from surveyapp.responses import sheets

    filled = sheets.fill(survey_id)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(db.text("ANALYZE"))
    return filled


def baseline(app, survey_id: int, path: str) -> int:
    """The same rows streamed with a bare cursor and csv.writer (long format)."""
    from surveyapp.extensions import db

    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    param = "%s" if db.engine.dialect.name == "postgresql" else "?"
    cursor.execute(
        "select r.id, a.question_id, a.option_id, a.value_num, a.value_text from responses r "
        f"join answers a on a.response_id = r.id where r.survey_id = {param} order by r.id",
        (survey_id,),
    )
    n = 0
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        while True:
            rows = cursor.fetchmany(10_000)
            if not rows:
                break
            writer.writerows(rows)
            n += len(rows)
    raw.close()
    return n


def run_export(survey_id: int, fmt: str, path: str) -> int:
    from surveyapp.analytics.filters import Filters
    from surveyapp.exports import rows, writers
    from surveyapp.exports.layout import build_layout
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Survey

    survey = db.session.get(Survey, survey_id)
    layout = build_layout(survey)
    stream = rows.iter_rows(layout, survey.id, Filters())
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(writers.csv_chunks(layout, rows.iter_batches(layout, survey.id, Filters(), ready=True)))
        return None  # counted after the clock stops (count_rows)
    if fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(writers.jsonl_chunks(layout, stream))
        return None
    if fmt == "xlsx":
        return writers.write_xlsx(layout, rows.iter_batches(layout, survey.id, Filters(), ready=True), path)
    from surveyapp.exports import sav

    return writers.write_sav(layout, stream, path, sav.string_widths(layout, survey.id))


def count_rows(path: Path, fmt: str) -> int:
    """Rows in a CSV (records, not lines: text may hold line breaks) or JSON lines file."""
    with open(path, encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            return sum(1 for _ in csv.reader(handle)) - 1
        return sum(1 for _ in handle)


def pdf_time(app) -> tuple[float, int]:
    from surveyapp.extensions import db
    from surveyapp.reports import content, pdf
    from surveyapp.surveys.models import Survey

    thirty = []
    for i in range(30):
        q = dict(TEN[i % 10])
        q["code"] = f"{q['code']}_{i}"
        thirty.append(q)
    survey_id = load(app, 2_000, thirty)
    survey = db.session.get(Survey, survey_id)
    started = time.perf_counter()
    body = pdf.render(content.build(survey))
    return time.perf_counter() - started, len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx,sav", help="any of csv, xlsx, sav, jsonl")
    parser.add_argument("--database-url")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the database and reuse a loaded bench survey.")
    parser.add_argument("--load-only", action="store_true", help="Load (with --keep) and stop before timing.")
    parser.add_argument("--lock", default="/tmp/suara-bench.lock", help="Shared lock held while timing ('' = none).")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="suara-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = make_app(url)
    import matplotlib
    import openpyxl
    import pyreadstat
    import sqlalchemy
    from flask_migrate import upgrade

    with app.app_context():
        from surveyapp.extensions import db

        if args.database_url and not args.keep:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        print(
            f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{db.engine.dialect.name} {'.'.join(map(str, db.engine.dialect.server_version_info or ()))}, "
            f"SQLAlchemy {sqlalchemy.__version__}, openpyxl {openpyxl.__version__}, pyreadstat {pyreadstat.__version__}, "
            f"matplotlib {matplotlib.__version__}"
        )
        survey_id = find_loaded(args.responses) if args.keep else None
        if survey_id is None:
            started = time.perf_counter()
            survey_id = load(app, args.responses)
            print(f"load: {args.responses:,} responses in {time.perf_counter() - started:.1f} s", flush=True)
        else:
            print(f"reusing survey {survey_id} ({args.responses:,} responses)", flush=True)
        started = time.perf_counter()
        filled = after_load(survey_id)
        print(f"fill answer sheets: {filled:,} in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()
        if not args.load_only:
            with bench_lock(args.lock):
                _timed(args, survey_id, workdir)
        if args.pdf and not args.load_only:
            seconds, size = pdf_time(app)
            print(f"| PDF report, 30 questions, 2,000 responses | | {seconds:.2f} s | {size:,} bytes | |")
    for child in workdir.iterdir():
        child.unlink()
    workdir.rmdir()


def _timed(args, survey_id: int, workdir: Path) -> None:
    """The baseline and each format (run under the shared benchmark lock)."""
    from surveyapp.extensions import db

    started, cpu = time.perf_counter(), time.process_time()
    with PeakRss() as memory:
        rows_out = baseline(None, survey_id, str(workdir / "baseline.csv"))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"| baseline (bare cursor + csv.writer, long format) | {args.responses:,} | {took:.1f} s | "
        f"{args.responses / took:,.0f} responses/s ({rows_out:,} answer rows) | {memory.growth:.0f} MB | "
        f"{cpu:.1f} s |",
        flush=True,
    )
    for fmt in [f for f in args.formats.split(",") if f]:
        db.session.remove()
        started, cpu = time.perf_counter(), time.process_time()
        with PeakRss() as memory:
            n = run_export(survey_id, fmt, str(workdir / f"out.{fmt}"))
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        if n is None:
            n = count_rows(workdir / f"out.{fmt}", fmt)
        print(
            f"| {fmt} export | {n:,} | {took:.1f} s | {n / took:,.0f} responses/s | {memory.growth:.0f} MB | "
            f"{cpu:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
