"""Exports read each response's answer sheet (responses/sheets.py). The
rows must be the same whether the sheet was stored at completion, filled
later, or made on the fly for a response without one; the CSV path
(``ready``) must print exactly what formatting the generic rows prints;
and numbers must come out exact on both databases."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

import pytest

from surveyapp.analytics.filters import ALL_STATUSES, Filters
from surveyapp.exports import rows, writers
from surveyapp.exports.layout import build_layout
from surveyapp.extensions import db
from surveyapp.responses import sheets
from surveyapp.responses.models import Answer, Response
from tests import factories
from tests.exports import data

TEXTS = [
    "=1+1",
    "+62 812",
    "-ok",
    "@home",
    "\tindent",
    "\rreturn",
    "'quoted",
    'Jalan rusak, "besar"',
    "baris\nbaru",
    "",
    "ümlaut ñ 漢字",
    " =space first",
]
NUMBERS = ["0", "7", "-3", "2.5", "0,1", "-0.75", "120", "1e-05", "0.30000000000000004", "99999999999999.5"]


def _reference_csv(layout, survey_id, filters) -> str:
    """The CSV as the Python writer made it before the SQL formatting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([writers.neutralise(n) for n in layout.names])
    texty = [i for i, c in enumerate(layout.columns) if c.kind in ("text", "code", "meta")]
    for row in rows.iter_rows(layout, survey_id, filters):
        row = list(row)
        row[4], row[5] = writers._iso(row[4]), writers._iso(row[5])
        for i in texty:
            row[i] = writers.neutralise(row[i])
        writer.writerow(row)
    return buffer.getvalue()


def _ready_csv(layout, survey_id, filters, batch=rows.BATCH) -> str:
    return "".join(writers.csv_chunks(layout, rows.iter_batches(layout, survey_id, filters, batch=batch, ready=True)))


@pytest.fixture
def messy(world, ctx):
    questions = [dict(q) for q in data.QUESTIONS]
    questions[0] = {**questions[0], "options": data.opts("-f", "m", "x", other="x")}  # a code that looks like a formula
    survey = data.survey(world.org, questions=questions)
    rng = random.Random(11)
    when = datetime(2026, 3, 1, 4, 0, 0, 123456)
    for k in range(40):
        answers = {}
        if rng.random() < 0.9:
            answers["gender"] = rng.choice(["-f", "m", {"choice": "x", "other": rng.choice(TEXTS) or "lain"}])
        if rng.random() < 0.7:
            answers["services"] = {
                "choices": rng.sample(["clinic", "school", "other"], rng.randint(1, 3)),
                "other": rng.choice(TEXTS) or "warung",
            }
        if rng.random() < 0.8:
            answers["overall"] = str(rng.randint(1, 5))
            answers["aspects"] = {"speed": str(rng.randint(1, 5)), "staff": str(rng.randint(1, 5))}
        if rng.random() < 0.8:
            answers["priorities"] = dict(zip(["roads", "water", "light"], map(str, rng.sample([1, 2, 3], 3))))
        if rng.random() < 0.8:
            answers["recommend"] = str(rng.randint(0, 10))
            answers["stars"] = str(rng.randint(1, 5))
        if rng.random() < 0.5:
            answers["visit"] = f"2026-02-{rng.randint(1, 28):02d}"
        comment = rng.choice(TEXTS)
        if comment:
            answers["comment"] = comment
        answers["used"] = rng.choice(["yes", "no"])
        response = factories.respond(
            survey,
            answers,
            status=rng.choice(["complete", "complete", "partial"]),
            channel=rng.choice(["link", "paper", "kiosk"]),
            language=rng.choice(["id", "en"]),
            submitted_at=when + timedelta(seconds=k * 3601, microseconds=k * 7919),
            duration=k,
            sheet=None,
        )
        # Numbers straight into the table, to cover values the form would round or refuse.
        question = next(q for q in survey.questions if q.code == "age")
        if k < len(NUMBERS):
            db.session.add(
                Answer(response_id=response.id, question_id=question.id, value_num=float(NUMBERS[k].replace(",", ".")))
            )
    db.session.commit()
    return survey


def _sheet_count(survey_id) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Response)
        .where(Response.survey_id == survey_id, Response.sheet.is_not(None))
    ).scalar_one()


def _complete_count(survey_id) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Response)
        .where(Response.survey_id == survey_id, Response.status == "complete")
    ).scalar_one()


def test_ready_csv_equals_the_python_formatting(messy):
    filters = Filters(statuses=ALL_STATUSES)
    layout = build_layout(messy)
    expected = _reference_csv(layout, messy.id, filters)
    assert "'-f" in expected and "'+62 812" in expected and "2.5" in expected and ",120," in expected
    assert "0.30000000000000004" in expected and "99999999999999.5" in expected and "1e-05" in expected
    assert _ready_csv(layout, messy.id, filters) == expected
    assert _ready_csv(layout, messy.id, filters, batch=7) == expected
    assert _ready_csv(layout, messy.id, Filters()) == _reference_csv(layout, messy.id, Filters())


def test_stored_filled_and_missing_sheets_give_the_same_rows(messy):
    filters = Filters(statuses=ALL_STATUSES)
    layout = build_layout(messy)
    assert _sheet_count(messy.id) == 0
    made_on_the_fly = [list(r) for r in rows.iter_rows(layout, messy.id, filters, batch=6)]
    complete = _complete_count(messy.id)
    assert 0 < complete < 40
    assert sheets.fill(messy.id, chunk=4) == complete  # partial responses get none
    assert _sheet_count(messy.id) == complete
    assert sheets.fill(messy.id) == 0
    assert [list(r) for r in rows.iter_rows(layout, messy.id, filters, batch=6)] == made_on_the_fly
    # Half stored, half not, within one batch.
    db.session.execute(db.update(Response).where(Response.id % 2 == 0).values(sheet=None))
    db.session.commit()
    assert [list(r) for r in rows.iter_rows(layout, messy.id, filters)] == made_on_the_fly
    assert _ready_csv(layout, messy.id, filters) == _reference_csv(layout, messy.id, filters)


def test_huge_and_inexact_numbers_print_exactly(messy):
    """SQLite's JSON would print reals with 15 digits; sheets keep them exact."""
    question = next(q for q in messy.questions if q.code == "age")
    first = db.session.execute(db.select(db.func.min(Answer.response_id))).scalar()
    values = (1e20, 2.0**70, 1e15 + 0.5, 0.1 + 0.2, 1 / 3, -1e-300)
    for value in values:
        db.session.add(Answer(response_id=first, question_id=question.id, value_num=value))
    db.session.commit()
    sheets.fill(messy.id)
    layout = build_layout(messy)
    column = layout.names.index("age")
    filters = Filters(statuses=ALL_STATUSES)
    by_id = {row[0]: row for row in rows.iter_rows(layout, messy.id, filters)}
    # MAX of the question's numbers, as the pivot gave for duplicated rows: not
    # asserted; only that every stored value reads back exactly.
    decoded = sheets.decode(sheets.read([first])[first])
    numbers = sorted(sheets.number(entry[3]) for entry in decoded if entry[0] == question.id)
    assert all(value in numbers for value in (10**20, 2**70, 1e15 + 0.5, 0.1 + 0.2, 1 / 3, -1e-300))
    assert by_id[first][column] in numbers
    text = _ready_csv(layout, messy.id, filters)
    assert text == _reference_csv(layout, messy.id, filters)


def test_fill_skips_sheets_written_meanwhile(messy):
    """A sheet already there (a completion that raced the fill) is kept."""
    complete = (
        db.session.execute(
            db.select(Response.id)
            .where(Response.survey_id == messy.id, Response.status == "complete")
            .order_by(Response.id)
        )
        .scalars()
        .all()
    )
    db.session.execute(db.update(Response).where(Response.id == complete[0]).values(sheet="[]"))
    db.session.commit()
    assert sheets.fill(messy.id) == len(complete) - 1
    assert db.session.execute(db.select(Response.sheet).where(Response.id == complete[0])).scalar() == "[]"
