"""Soak test: residents keep submitting while gunicorn workers are killed,
then every accepted submission must be stored exactly once and complete.

    .venv/bin/python -m bench.soak [--clients 16] [--seconds 30] [--kills 10] [--export-rows 100000]
                                   [--workers 3 --threads 2] [--min-ratio 0.9] [--database-url URL]

The database is emptied and migrated first: a throw-away SQLite file in
/tmp, or the PostgreSQL database of ``--database-url`` / TEST_DATABASE_URL
(everything in it is dropped). It gets the collection bench's 10-question
survey, an API token, an owner who may export, and a second survey with
``--export-rows`` bulk-loaded responses (bench/export_bench.py's loader).

Gunicorn serves the real app (bench/live.py) with several workers. Each
client thread submits complete responses one after another, alternating
the resident's web form (GET the page, POST it; accepted = 303 to the
thank-you page) and the JSON API (POST with a fresh UUID4; accepted = 201,
or 200 for a resend). Every submission has its own answers, derived from
its number, so the stored values can be checked and not only counted. A
request that fails (connection reset, 5xx while a worker restarts) is sent
again with the same submission id, as a browser or API client would.

Clients submit throughout, and one worker is killed with SIGKILL every
``--seconds`` / ``--kills`` seconds (one every 3 s by default; only a
worker that has booted: loading the app takes seconds), the master starting
a new one. Meanwhile rounds alternate: the owner downloads the whole CSV
export of the bulk-loaded survey, then as long without an export, until exports have run ``--seconds``; so
a machine whose load drifts weighs on both alike. The submission rate while
an export streams must be at least ``--min-ratio`` (0.9) of the rate
without. Kills go on while the export streams, but spare the worker
sending it (it names itself, bench/live.py): the export gives way to the
residents (surveyapp/exports/pacing.py), so under this load it takes tens
of seconds, and a kill every 3 s among three workers would cut nearly
every one. A cut download is the owner's to start again; it changes
nothing stored.

At the end, read from the database: each accepted submission is stored
exactly once, complete, with exactly its answers; no stored response is
incomplete or unknown to the clients. The script prints a summary and
exits 1 on any violation of integrity, 3 when only the rate fell below the
ratio (a measurement, which a shared machine's noise can spoil: `make soak`
measures it again once; a lost answer never is), 0 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from itertools import combinations
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.live import (
    WORKER_HEADER,
    Gunicorn,
    db_url,
    get_form,
    post_response,
    prepare_database,
    versions,
)

PASSWORD = "soak password, not for production"
OWNER = "soak-owner@bench.test"
RETRY_PAUSE = 0.1  # seconds between two attempts of one submission
TOO_SLOW = 3  # exit status when integrity held and only the rate ratio fell short
RETRY_FOR = 60.0  # a submission is given up after this long (then it must be absent or complete)
SUBSETS = [list(c) for n in (1, 2, 3) for c in combinations("xyz", n)]


# ---- what each submission answers -----------------------------------------------------------


def expected(number: int, submission_id: str) -> dict:
    """The answers of submission ``number``, as the database check reads
    them back: option codes (a sorted list for multiple choice), numbers as
    floats, text as text. All 10 questions answered: 11+ answer rows."""
    return {
        "q1": "abc"[number % 3],
        "q2": "abc"[number // 3 % 3],
        "q3": ("yes", "no")[number % 2],
        "q4": str(1 + number % 5),
        "q5": str(1 + number // 5 % 5),
        "q6": float(number % 11),
        "q7": SUBSETS[number % len(SUBSETS)],
        "q8": float(number % 121),
        "q9": f"soak {number} {submission_id[:8]}",
        "q10": "ab"[number // 2 % 2],
    }


def form_answers(answers: dict) -> dict:
    return {
        f"q-{code}": (value if isinstance(value, list) else str(int(value)) if isinstance(value, float) else value)
        for code, value in answers.items()
    }


def api_answers(answers: dict) -> dict:
    return {code: int(value) if isinstance(value, float) else value for code, value in answers.items()}


# ---- set-up ------------------------------------------------------------------------------------


def seed(export_rows: int):
    """The API token, the owner, and the survey to export (in the app context)."""

    def run(org, survey):
        from bench.export_bench import after_load, load
        from surveyapp.accounts.models import User
        from surveyapp.api import tokens
        from surveyapp.extensions import db
        from surveyapp.orgs.models import Membership, Role

        _token, plain = tokens.create(org.id, None, "soak", "write")
        owner = User(email=OWNER, name="Soak")
        owner.set_password(PASSWORD)
        db.session.add(owner)
        db.session.flush()
        db.session.add(Membership(user_id=owner.id, organisation_id=org.id, role=Role.OWNER.value))
        db.session.commit()
        started = time.perf_counter()
        export_survey = load(None, export_rows, organisation_id=org.id)
        after_load(export_survey)
        print(f"seeded {export_rows:,} responses to export in {time.perf_counter() - started:.1f} s", flush=True)
        return plain, export_survey

    return run


# ---- one submission ------------------------------------------------------------------------------


@dataclass
class Submission:
    number: int
    channel: str  # "link" (the web form) or "api"
    submission_id: str | None = None
    answers: dict | None = None
    form: dict | None = None  # the web form's hidden fields
    sent: bool = False  # at least one POST went out: the server may hold it
    accepted_at: float | None = None
    attempts: int = 0
    failures: list = field(default_factory=list)  # (status or error name) of each failed attempt
    refused: str | None = None  # an answer that is neither success nor "try again"


class Client:
    """One simulated resident or API client on its own keep-alive connection."""

    def __init__(self, port: int, token: str, survey_id: int, api_key: str):
        self.port, self.token, self.survey_id, self.api_key = port, token, survey_id, api_key
        self.conn = self._connect()

    def _connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def _reconnect(self):
        self.conn.close()
        self.conn = self._connect()

    def submit(self, sub: Submission, give_up_at: float) -> None:
        """Send ``sub`` until it is accepted, refused, or ``give_up_at``."""
        while time.time() < give_up_at:
            try:
                if sub.channel == "link" and sub.submission_id is None:
                    fields = get_form(self.conn, self.token)  # a GET stores nothing: safe to repeat
                    sub.submission_id = fields["submission_id"]
                    sub.answers = expected(sub.number, sub.submission_id)
                    sub.form = fields
                elif sub.channel == "api" and sub.submission_id is None:
                    sub.submission_id = str(uuid.uuid4())
                    sub.answers = expected(sub.number, sub.submission_id)
                sub.attempts += 1
                sub.sent = True
                outcome = self._post(sub)
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                self._reconnect()
            if outcome is True:
                sub.accepted_at = time.time()
                return
            if outcome is False:
                return
            sub.failures.append(outcome)
            time.sleep(RETRY_PAUSE)

    def _post(self, sub: Submission):
        """True = accepted, False = refused (recorded), else what to retry on."""
        if sub.channel == "link":
            pairs = []
            for key, value in {**sub.form, **form_answers(sub.answers)}.items():
                pairs.extend((key, item) for item in (value if isinstance(value, list) else [value]))
            status, headers, body = post_response(self.conn, f"/s/{self.token}", urlencode(pairs))
            if status == 303 and "/thanks" in urlsplit(headers.get("Location", "")).path:
                return True
        else:
            payload = json.dumps(
                {"submission_id": sub.submission_id, "language": "id", "answers": api_answers(sub.answers)}
            )
            status, headers, body = post_response(
                self.conn,
                f"/api/v1/surveys/{self.survey_id}/responses",
                payload,
                "application/json",
                {"Authorization": f"Bearer {self.api_key}"},
            )
            if status in (200, 201):
                record = json.loads(body)
                if record.get("submission_id") == sub.submission_id and record.get("status") == "complete":
                    return True
        if status >= 500:
            return status
        sub.refused = f"{status}: {body[:300].decode(errors='replace')}"
        return False

    def close(self):
        self.conn.close()


# ---- the export download ---------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


def _session_cookie(response) -> str | None:
    """The ``session=...`` pair among the response's cookies (a log-in also
    sets the known-browser cookie, in no promised order)."""
    for header in response.msg.get_all("Set-Cookie") or []:
        pair = header.split(";")[0].strip()
        if pair.startswith("session="):
            return pair
    return None


class Exporter:
    """The owner downloading the CSV export of the bulk-loaded survey."""

    def __init__(self, port: int, survey_id: int, rows: int):
        self.port, self.survey_id, self.rows = port, survey_id, rows
        self.completed, self.cut, self.wrong, self.seconds = 0, 0, [], []
        self.cookie = None
        self.serving: int | None = None  # the worker sending the export now

    def _login(self, conn) -> None:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = _session_cookie(response) or ""
        body = urlencode({"email": OWNER, "password": PASSWORD, "csrf_token": unescape(CSRF.search(page).group(1))})
        conn.request(
            "POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        )
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"log-in answered {response.status}")
        self.cookie = _session_cookie(response) or cookie

    def download(self, give_up_at: float) -> bool:
        """One whole export; a download cut by a killed worker starts again,
        as the owner would. False if none completed by ``give_up_at``."""
        while time.time() < give_up_at:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                if self.cookie is None:
                    self._login(conn)
                conn.request("GET", f"/surveys/{self.survey_id}/export.csv", headers={"Cookie": self.cookie})
                response = conn.getresponse()
                self.serving = int(response.getheader(WORKER_HEADER) or 0) or None
                if response.status != 200:
                    self.wrong.append(f"export answered {response.status}")
                    response.read()
                    time.sleep(1)
                    continue
                lines = 0
                while chunk := response.read(64 * 1024):
                    lines += chunk.count(b"\n")
                # The loaded answers hold no line breaks: a line per response, and the header.
                if lines - 1 != self.rows:
                    self.wrong.append(f"export had {lines - 1} rows, not {self.rows}")
                    continue
                self.completed += 1
                self.seconds.append(time.perf_counter() - started)
                return True
            except (OSError, http.client.HTTPException):
                self.cut += 1
                time.sleep(RETRY_PAUSE)
            finally:
                self.serving = None
                conn.close()
        return False


# ---- the run ---------------------------------------------------------------------------------------


@dataclass
class Window:
    """A stretch of the run with or without the export under way."""

    export: bool
    start: float
    end: float


def run(
    server: Gunicorn, args, token: str, survey_id: int, api_key: str, exporter: Exporter, rng: random.Random
) -> tuple[list[Window], list[Submission], list[float]]:
    """Clients submit throughout; a kill every ``args.seconds / args.kills``
    seconds; then rounds of (one whole export, as long again without) until
    the export has run ``args.seconds``. Returns the windows, the
    submissions and the times of the kills."""
    submissions: list[Submission] = []
    kills: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(10**9))
    done = threading.Event()

    def client():
        me = Client(server.port, token, survey_id, api_key)
        try:
            while not done.is_set():
                with lock:
                    sub = Submission(next(numbers), "")
                    sub.channel = "api" if sub.number % 2 else "link"
                    submissions.append(sub)
                # A submission begun before the end is seen through (its
                # retries may run past it), so none is left half-tried.
                me.submit(sub, time.time() + RETRY_FOR)
        finally:
            me.close()

    def killer():
        interval = args.seconds / args.kills
        while not done.wait(interval):
            # Only a worker that has booted: the app takes seconds to load.
            if server.kill_worker(rng, booted_for=interval / 2, spare=exporter.serving) is not None:
                kills.append(time.time())

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.warm_up)
    killing = threading.Thread(target=killer, daemon=True)
    killing.start()
    windows: list[Window] = []
    exported = 0.0
    while exported < args.seconds:
        start = time.time()
        if not exporter.download(start + 300):
            break
        windows.append(Window(True, start, time.time()))
        exported += windows[-1].end - start
        time.sleep(windows[-1].end - start)
        windows.append(Window(False, windows[-1].end, time.time()))
    done.set()
    killing.join()
    for thread in threads:
        thread.join()
    return windows, submissions, kills


def rates(windows: list[Window], submissions: list[Submission], kills: list[float]) -> dict[bool, dict]:
    """Per condition (export or not): seconds, kills, accepted, submissions/s."""
    result = {}
    for export in (False, True):
        mine = [w for w in windows if w.export == export]
        seconds = sum(w.end - w.start for w in mine)

        def inside(moment, mine=mine):
            return any(w.start <= moment < w.end for w in mine)

        accepted = [s for s in submissions if s.accepted_at is not None and inside(s.accepted_at)]
        result[export] = {
            "seconds": seconds,
            "kills": sum(1 for k in kills if inside(k)),
            "accepted": len(accepted),
            "web": sum(1 for s in accepted if s.channel == "link"),
            "rate": len(accepted) / seconds if seconds else 0.0,
        }
    return result


# ---- the check ------------------------------------------------------------------------------------------


def stored_responses(url: str, survey_id: int) -> dict[str, list[dict]]:
    """Every response of the survey by submission id, with its answers read
    back as ``expected`` writes them."""
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(db_url(url))
    with engine.connect() as conn:
        responses = conn.execute(
            sql("SELECT id, submission_id, status, channel FROM responses WHERE survey_id = :s"), {"s": survey_id}
        ).all()
        rows = conn.execute(
            sql(
                "SELECT a.response_id, q.code, q.type, o.code, a.value_num, a.value_text FROM answers a "
                "JOIN questions q ON q.id = a.question_id LEFT JOIN options o ON o.id = a.option_id "
                "JOIN responses r ON r.id = a.response_id WHERE r.survey_id = :s"
            ),
            {"s": survey_id},
        ).all()
    engine.dispose()
    answers: dict[int, dict] = {}
    for response_id, code, qtype, option, number, text_value in rows:
        mine = answers.setdefault(response_id, {})
        if qtype == "multiple_choice":
            mine.setdefault(code, []).append(option)
            mine[code].sort()
            continue
        value = option if option is not None else text_value if text_value is not None else number
        mine[code] = [mine[code], value] if code in mine else value  # a second row for one question shows up
    found: dict[str, list[dict]] = {}
    for response_id, submission_id, status, channel in responses:
        found.setdefault(submission_id, []).append(
            {"id": response_id, "status": status, "channel": channel, "answers": answers.get(response_id, {})}
        )
    return found


def check(submissions: list[Submission], found: dict[str, list[dict]]) -> tuple[list[str], dict]:
    """The violations, and counts for the summary."""
    problems, counts = [], {"accepted": 0, "given_up": 0, "given_up_stored": 0, "retried": 0, "refused": 0}
    known = set()
    for sub in submissions:
        if sub.submission_id is None:
            continue  # its page never loaded: nothing was sent
        known.add(sub.submission_id)
        stored = found.get(sub.submission_id, [])
        counts["retried"] += bool(sub.failures)
        where = f"#{sub.number} {sub.channel} {sub.submission_id}"
        if sub.refused:
            counts["refused"] += 1
            problems.append(f"{where}: refused, {sub.refused}")
        if len(stored) > 1:
            problems.append(f"{where}: stored {len(stored)} times")
        if sub.accepted_at is not None:
            counts["accepted"] += 1
            if not stored:
                problems.append(f"{where}: accepted after {sub.attempts} attempt(s) but not stored")
                continue
        elif not sub.refused:
            counts["given_up"] += 1
            counts["given_up_stored"] += bool(stored)
        for response in stored:
            if response["status"] != "complete":
                problems.append(
                    f"{where}: stored as {response['status']} with {len(response['answers'])} "
                    f"answers (failed attempts: {sub.failures})"
                )
            elif response["answers"] != sub.answers:
                problems.append(f"{where}: stored answers {response['answers']} != sent {sub.answers}")
            elif response["channel"] != sub.channel:
                problems.append(f"{where}: stored with channel {response['channel']}")
    for submission_id, stored in found.items():
        if submission_id not in known:
            problems.append(f"{submission_id}: stored ({[r['status'] for r in stored]}) but no client sent it")
    counts["stored"] = sum(len(v) for v in found.values())
    return problems, counts


# ---- main --------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="client threads (default 16)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=30,
        help="seconds of exports under way in all, and as long without (default 30)",
    )
    parser.add_argument(
        "--kills", type=int, default=None, help="workers killed per --seconds, evenly spaced (default: one every 3 s)"
    )
    parser.add_argument("--export-rows", type=int, default=100_000, help="responses in the exported survey")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds of submissions before the clock")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--min-ratio",
        type=float,
        default=0.9,
        help="the submission rate with the export over the rate without must reach this",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL to EMPTY and use (default TEST_DATABASE_URL, else a SQLite file in /tmp)",
    )
    parser.add_argument("--seed", type=int, default=12, help="random seed: which worker is killed")
    args = parser.parse_args(argv)
    if args.kills is None:
        args.kills = max(1, int(args.seconds // 3))
    url = args.database_url
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='suara-soak-')}/soak.db"
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"soak: {engine}, {os.cpu_count()} CPUs, {versions()}; gunicorn -w {args.workers} --threads "
        f"{args.threads}; {args.clients} clients; a worker killed every "
        f"{args.seconds / args.kills:.1f} s; {args.seconds:g} s with the export of {args.export_rows:,} responses "
        "under way, and as long without, alternating",
        flush=True,
    )
    survey_id, token, (api_key, export_survey) = prepare_database(url, seed(args.export_rows))
    server = Gunicorn("bench.live:create_bench_app()", url, args.workers, args.threads, survey_id)
    exporter = Exporter(server.port, export_survey, args.export_rows)
    try:
        # One whole export before the clock: the log-in, and that it works at all.
        if not exporter.download(time.time() + 120):
            raise RuntimeError(f"the export did not work: {exporter.wrong} {server.log_tail()}")
        exporter.completed, exporter.seconds = 0, []
        windows, submissions, kills = run(server, args, token, survey_id, api_key, exporter, random.Random(args.seed))
    finally:
        server.stop()
    problems, counts = check(submissions, stored_responses(url, survey_id))
    problems.extend(exporter.wrong)
    if exporter.completed == 0:
        problems.append("no export completed: it did not stream beside the submissions")
    by = rates(windows, submissions, kills)
    for export, figures in by.items():
        print(
            f"{'with the export' if export else 'baseline':16} {figures['seconds']:5.1f} s  kills {figures['kills']:2}  "
            f"accepted {figures['accepted']:5} ({figures['web']} web, {figures['accepted'] - figures['web']} API)  "
            f"{figures['rate']:6.1f} submissions/s"
        )
    took = f" ({min(exporter.seconds):.1f}-{max(exporter.seconds):.1f} s each)" if exporter.seconds else ""
    print(
        f"exports: {exporter.completed} complete{took}, {exporter.cut} cut by a kill (started again); "
        f"{len(kills)} workers killed in all"
    )
    failures = {}
    for failure in (f for s in submissions for f in s.failures):
        failures[failure] = failures.get(failure, 0) + 1
    print(
        f"stored {counts['stored']} responses; {counts['accepted']} submissions accepted, {counts['retried']} "
        f"after a retry ({', '.join(f'{k} {v}' for k, v in sorted(failures.items(), key=str)) or 'none'}); "
        f"{counts['given_up']} given up ({counts['given_up_stored']} of them stored complete); "
        f"{counts['refused']} refused"
    )
    ratio = by[True]["rate"] / by[False]["rate"] if by[False]["rate"] else 0.0
    print(
        f"submission rate with the export {by[True]['rate']:.1f}/s = {ratio:.2f} of the baseline "
        f"{by[False]['rate']:.1f}/s (required {args.min_ratio:.2f})"
    )
    slow = ratio < args.min_ratio
    if slow:
        print(f"TOO SLOW: the rate with the export is {ratio:.2f} of the baseline, below {args.min_ratio:.2f}")
    for problem in problems[:50]:
        print("VIOLATION:", problem)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    if problems:
        print("soak: FAILED")
    else:
        print(
            "soak: every accepted submission stored exactly once and complete"
            + ("; the rate with the export FAILED" if slow else ", OK")
        )
    if not args.database_url:
        path = Path(url[len("sqlite:///") :])
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        path.parent.rmdir()
    return 1 if problems else TOO_SLOW if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
