"""SPSS .sav export benchmark: time and peak RSS growth of the streaming
writer (surveyapp/exports/sav.py), beside baselines measured in the same
run: the bare-cursor CSV of export_bench.py, the CSV export, and the former
in-memory pyreadstat writer (``--legacy``, kept here only for comparison).

    .venv/bin/python bench/sav_bench.py --responses 100000 --database-url sqlite:////tmp/bench-sav/bench.db [--legacy] [--uncompressed]

The survey and its data loader are export_bench.py's (10 questions, about
10.5 answer rows per response); with a kept database (``--keep`` there) a
loaded survey with exactly ``--responses`` responses is reused. Only the
timed part holds the shared lock /tmp/suara-bench.lock. "first bytes" is
the time until the header, the dictionary and the first 64 kB of cases are
ready (string widths query included): what an HTTP client waits for.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.export_bench import PeakRss, baseline, bench_lock, find_loaded, load, make_app, run_export  # noqa: E402


def sav_stream(survey_id: int, path: str, compressed: bool) -> tuple[int, float]:
    """The HTTP path: sav_chunks over iter_rows, written as it comes."""
    from surveyapp.analytics.filters import Filters
    from surveyapp.exports import rows, sav
    from surveyapp.exports.layout import build_layout
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Survey

    started = time.perf_counter()
    survey = db.session.get(Survey, survey_id)
    layout = build_layout(survey)
    widths = sav.string_widths(layout, survey.id)
    first = None
    with open(path, "wb") as handle:
        for chunk in sav.sav_chunks(
            layout, rows.iter_rows(layout, survey.id, Filters()), widths, compressed=compressed
        ):
            handle.write(chunk)
            if first is None and handle.tell() > 64 * 1024:
                first = time.perf_counter() - started
    return os.path.getsize(path), first or time.perf_counter() - started


def legacy_write_sav(survey_id: int, path: str) -> int:
    """The former writer: the whole table in memory, then pyreadstat."""
    from array import array
    from datetime import date

    import numpy as np
    import pandas as pd
    import pyreadstat

    from surveyapp.analytics.filters import Filters
    from surveyapp.exports import rows as rows_module
    from surveyapp.exports.layout import build_layout
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Survey

    survey = db.session.get(Survey, survey_id)
    layout = build_layout(survey)
    columns = layout.columns
    numeric = [
        c.kind in ("code", "flag", "number", "rank") or c.name in ("response_id", "duration_seconds") for c in columns
    ]
    store: list = [array("d") if is_num else [] for is_num in numeric]
    codes = [c.spss_codes() if c.kind == "code" else None for c in columns]
    nan = float("nan")
    for row in rows_module.iter_rows(layout, survey.id, Filters()):
        for i, value in enumerate(row):
            if numeric[i]:
                store[i].append(
                    nan if value is None else codes[i].get(value, nan) if codes[i] is not None else float(value)
                )
            else:
                store[i].append(value)
    data = {}
    for i, column in enumerate(columns):
        if numeric[i]:
            data[column.name] = np.frombuffer(store[i], dtype="float64") if len(store[i]) else np.array([], "float64")
        elif column.kind == "date":
            data[column.name] = pd.Series([date.fromisoformat(v) if v else None for v in store[i]], dtype=object)
        elif column.name in ("started_at", "submitted_at"):
            data[column.name] = pd.to_datetime(pd.Series(store[i], dtype=object))
        else:
            data[column.name] = pd.Series(["" if v is None else v for v in store[i]], dtype=object)
        store[i] = None
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={c.name: c.label for c in columns},
        variable_value_labels={c.name: {n: label[:120] for _c, n, label in c.codes} for c in columns if c.codes},
    )
    return len(frame)


def timed(label: str, n: int, work) -> None:
    started = time.perf_counter()
    with PeakRss() as memory:
        result = work()
    took = time.perf_counter() - started
    print(
        f"| {label} | {n:,} | {took:.1f} s | {n / took:,.0f} responses/s | {memory.growth:.0f} MB | {result} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--legacy", action="store_true", help="Also time the former in-memory writer.")
    parser.add_argument("--uncompressed", action="store_true", help="Also time the writer without compression.")
    parser.add_argument("--lock", default="/tmp/suara-bench.lock")
    args = parser.parse_args()
    workdir = Path(
        tempfile.mkdtemp(prefix="suara-sav-bench-", dir="/tmp/bench-sav" if os.path.isdir("/tmp/bench-sav") else None)
    )
    app = make_app(args.database_url)
    with app.app_context():
        from flask_migrate import upgrade

        from surveyapp.extensions import db

        upgrade()
        survey_id = find_loaded(args.responses)
        if survey_id is None:
            started = time.perf_counter()
            survey_id = load(app, args.responses)
            print(f"load: {args.responses:,} responses in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()
        n = args.responses
        print("| export | responses | time | rate | peak RSS growth | output |")
        print("|---|---|---|---|---|---|")
        with bench_lock(args.lock):
            timed(
                "baseline: bare cursor + csv.writer, long format",
                n,
                lambda: f"{baseline(app, survey_id, str(workdir / 'baseline.csv')):,} answer rows",
            )
            db.session.remove()
            timed("CSV export (streams)", n, lambda: f"{run_export(survey_id, 'csv', str(workdir / 'out.csv')):,} rows")
            for compressed in (True, False) if args.uncompressed else (True,):
                db.session.remove()
                name = "compressed" if compressed else "uncompressed"

                def work(compressed=compressed, name=name):
                    size, first = sav_stream(survey_id, str(workdir / f"{name}.sav"), compressed)
                    return f"{size / 2**20:.1f} MB file, first 64 kB after {first:.2f} s"

                timed(f"SPSS .sav, streaming writer, {name}", n, work)
            if args.legacy:
                db.session.remove()
                timed(
                    "SPSS .sav, former in-memory DataFrame + pyreadstat",
                    n,
                    lambda: (
                        f"{legacy_write_sav(survey_id, str(workdir / 'legacy.sav')):,} rows, "
                        f"{os.path.getsize(workdir / 'legacy.sav') / 2**20:.1f} MB file"
                    ),
                )
        # Outside the lock: the streamed files read back whole.
        import pyreadstat

        for name in ("compressed", "uncompressed") if args.uncompressed else ("compressed",):
            frame, _meta = pyreadstat.read_sav(str(workdir / f"{name}.sav"))
            assert len(frame) == n and frame["response_id"].is_monotonic_increasing, name
            print(f"read back {name}: {len(frame):,} rows, {frame.shape[1]} variables", flush=True)
            del frame
    for child in workdir.iterdir():
        child.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
