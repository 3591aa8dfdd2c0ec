"""Benchmark: the programme report PDF of the demo programme beside the survey report PDF, in one run.

    DATABASE_URL=sqlite:////tmp/bench-progreport/demo.db .venv/bin/flask --app wsgi db upgrade
    DATABASE_URL=sqlite:////tmp/bench-progreport/demo.db .venv/bin/flask --app wsgi seed-demo
    flock /tmp/suara-bench.lock .venv/bin/python -m bench.programme_report_bench \\
        --database sqlite:////tmp/bench-progreport/demo.db [--windows 2026-Q3 2026] [--repeat 3]

Reads an already seeded database (``flask seed-demo``); nothing is written but
the feedback sync the dashboard also runs. For each window it times the
programme report PDF (the metric set with its 4-window trend, the report
content, charts and the PDF) and its parts, and, as the baseline in the same
run, the survey report PDF of the demo's largest survey and the metric set
alone (what the dashboard computes). Prints a Markdown table; the median of
``--repeat`` warm runs after one cold run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:////tmp/bench-progreport/demo.db")
    parser.add_argument("--windows", nargs="+", default=["2026-Q3", "2026"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import sqlalchemy
    from sqlalchemy import func, select

    from config import normalise_database_url
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.programmes.demo import DEMO_PROGRAMME
    from surveyapp.programmes.metrics import compute_set
    from surveyapp.programmes.models import Programme, ProgrammeSurvey
    from surveyapp.programmes.windows import parse_window
    from surveyapp.reports import content, pdf, programme_content, programme_pdf
    from surveyapp.responses.models import Response
    from surveyapp.surveys.models import Survey

    app = create_app("development", SQLALCHEMY_DATABASE_URI=normalise_database_url(args.database))
    rows = []
    with app.test_request_context():
        programme = db.session.execute(select(Programme).filter_by(name=DEMO_PROGRAMME)).scalar_one()
        survey_id, responses = db.session.execute(
            select(Response.survey_id, func.count())
            .join(ProgrammeSurvey, ProgrammeSurvey.survey_id == Response.survey_id)
            .where(ProgrammeSurvey.programme_id == programme.id, Response.status == "complete")
            .group_by(Response.survey_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        survey = db.session.get(Survey, survey_id)

        def measure(label, fn):
            cold, result = timed(fn)
            warm = [timed(fn)[0] for _ in range(args.repeat)]
            rows.append((label, cold, statistics.median(warm), result))
            return result

        body = measure(
            f"survey report PDF (baseline): survey {survey.id}, {responses} responses",
            lambda: pdf.render(content.build(survey)),
        )
        rows[-1] = rows[-1][:3] + (f"{len(body) // 1024} KiB",)
        for key in args.windows:
            window = parse_window(key)
            measure(
                f"metric set only (the dashboard's computation), window {key}",
                lambda window=window: compute_set(programme, window) and "",
            )
            report = measure(
                f"programme report content (metric set + facts + actions), window {key}",
                lambda window=window: programme_content.build(programme, window, "en"),
            )
            rows[-1] = rows[-1][:3] + ("",)
            body = measure(
                f"programme report PDF render only (charts + layout), window {key}",
                lambda report=report: programme_pdf.render(report),
            )
            rows[-1] = rows[-1][:3] + (f"{len(body) // 1024} KiB",)
            body = measure(
                f"**programme report PDF, end to end**, window {key}",
                lambda window=window: programme_pdf.render(programme_content.build(programme, window, "en")),
            )
            rows[-1] = rows[-1][:3] + (f"{len(body) // 1024} KiB",)
        dialect = db.engine.dialect.name
        server = db.session.execute(
            sqlalchemy.text("select sqlite_version()" if dialect == "sqlite" else "show server_version")
        ).scalar()

    print(
        f"Machine: {platform.machine()}, {platform.processor() or platform.platform()}; Python {platform.python_version()}, "
        f'{dialect} {server}, SQLAlchemy {sqlalchemy.__version__}; programme {programme.id} "{DEMO_PROGRAMME}" '
        f"(flask seed-demo).\n"
    )
    print(f"| What | cold (s) | warm, median of {args.repeat} (s) | output |")
    print("|---|---:|---:|---|")
    for label, cold, warm, result in rows:
        print(f"| {label} | {cold:.2f} | {warm:.2f} | {result if isinstance(result, str) else ''} |")


if __name__ == "__main__":
    main()
