"""Exports: values and labels survive a round trip through pandas,
pyreadstat and openpyxl; formula injection is neutralised; access rules."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest

from tests import factories
from tests.conftest import login
from tests.exports import data

FORMATS = ("export.csv", "export.xlsx", "export.sav", "export.jsonl", "codebook.csv", "exports")


@pytest.fixture
def filled(world, ctx):
    survey = data.survey(world.org)
    full = factories.respond(
        survey, data.FULL, channel="paper", language="en", submitted_at=datetime(2026, 3, 1, 4, 0), duration=95
    )
    sparse = factories.respond(
        survey, {"gender": "f", "services": ["school"], "age": "7"}, submitted_at=datetime(2026, 3, 5, 4)
    )
    partial = factories.respond(survey, {"gender": "m"}, status="partial")
    return survey, full, sparse, partial


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_layout_values_and_privacy(client, world, filled):
    survey, full, sparse, _partial = filled
    login(client, "editor@mawar.test")
    rows = _csv(client, f"/surveys/{survey.id}/export.csv")
    assert [int(r["response_id"]) for r in rows] == [full.id, sparse.id]  # complete only by default
    header = list(rows[0])
    assert header[:7] == [
        "response_id",
        "status",
        "channel",
        "language",
        "started_at",
        "submitted_at",
        "duration_seconds",
    ]
    assert not any("ip" in h or "agent" in h for h in header)
    assert "info" not in header  # a note has no column
    first = rows[0]
    assert first["channel"] == "paper" and first["language"] == "en" and first["duration_seconds"] == "95"
    assert first["submitted_at"] == "2026-03-01T04:00:00Z"
    assert first["gender"] == "x" and first["gender_other"] == '\'=HYPERLINK("http://evil")'
    assert (first["services_clinic"], first["services_school"], first["services_other"]) == ("1", "0", "1")
    assert first["services_other_2"] == "'+warung"  # the "other" text column, name made unique
    assert first["overall"] == "4" and first["aspects_speed"] == "5" and first["aspects_staff"] == "2"
    assert first["recommend"] == "9" and first["stars"] == "3" and first["age"] == "42"
    assert (first["priorities_roads"], first["priorities_water"], first["priorities_light"]) == ("2", "1", "3")
    assert first["visit"] == "2026-02-17" and first["used"] == "yes"
    assert first["comment"] == "'-1+1 Jalan rusak, " + data.XSS
    second = rows[1]
    assert second["services_clinic"] == "0" and second["services_school"] == "1"
    assert second["overall"] == "" and second["priorities_roads"] == "" and second["age"] == "7"
    everything = _csv(client, f"/surveys/{survey.id}/export.csv?status=all")
    assert len(everything) == 3 and everything[2]["status"] == "partial"


def test_csv_bom_filters_and_bad_filter(client, world, filled):
    survey, full, sparse, _ = filled
    login(client, "owner@mawar.test")
    raw = client.get(f"/surveys/{survey.id}/export.csv?bom=1").data
    assert raw.startswith("\ufeff".encode())
    assert [int(r["response_id"]) for r in _csv(client, f"/surveys/{survey.id}/export.csv?channel=paper")] == [full.id]
    assert [int(r["response_id"]) for r in _csv(client, f"/surveys/{survey.id}/export.csv?from=2026-03-04")] == [
        sparse.id
    ]
    assert [int(r["response_id"]) for r in _csv(client, f"/surveys/{survey.id}/export.csv?answer=gender:f")] == [
        sparse.id
    ]
    bad = client.get(f"/surveys/{survey.id}/export.csv?from=yesterday")
    assert bad.status_code == 400 and "date" in bad.get_data(as_text=True)
    assert client.get(f"/surveys/{survey.id}/export.csv?lang=fr").status_code == 400


def test_header_formula_injection(client, world, ctx):
    questions = [
        {
            "code": "q1",
            "type": "multiple_choice",
            "title": data.t("=cmd|' /C calc'!A0"),
            "options": [{"code": "-1", "label": data.t("@SUM(1)")}, {"code": "b", "label": data.t("b")}],
        }
    ]
    survey = data.survey(world.org, questions=questions)
    factories.respond(survey, {"q1": ["-1"]})
    login(client, "editor@mawar.test")
    text = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True)
    assert text.splitlines()[0].endswith("q1__1,q1_b")  # variable names are sanitised
    book = list(csv.reader(io.StringIO(client.get(f"/surveys/{survey.id}/codebook.csv").get_data(as_text=True))))
    cells = [cell for row in book for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=cmd|' /C calc'!A0: @SUM(1)" in cells


def test_xlsx_round_trip_and_injection(client, world, filled):
    from openpyxl import load_workbook

    survey, full, sparse, _ = filled
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["responses", "codebook"]
    sheet = list(book["responses"].iter_rows(values_only=True))
    first = dict(zip(sheet[0], sheet[1]))
    assert first["response_id"] == full.id and first["age"] == 42 and first["recommend"] == 9
    assert first["visit"].date() == date(2026, 2, 17)
    assert first["gender_other"] == '\'=HYPERLINK("http://evil")'
    for row in sheet:  # no cell is a formula
        assert not any(isinstance(v, str) and v.startswith("=") for v in row)
    book_rows = list(book["codebook"].iter_rows(values_only=True))
    assert book_rows[0][:3] == ("variable", "label", "type")
    gender = next(r for r in book_rows if r[0] == "gender")
    assert gender[5] == "f = Perempuan; m = Laki-laki; x = Lainnya"


# The .sav tests live in test_sav.py.


def test_jsonl_shapes(client, world, filled):
    survey, full, sparse, _ = filled
    login(client, "editor@mawar.test")
    lines = client.get(f"/surveys/{survey.id}/export.jsonl").get_data(as_text=True).splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["response_id"] == full.id
    assert first["answers"]["services"] == ["clinic", "other"]
    assert first["answers"]["aspects"] == {"speed": "5", "staff": "2"}
    assert first["answers"]["priorities"] == {"roads": 2, "water": 1, "light": 3}
    assert first["other"] == {"gender": '=HYPERLINK("http://evil")', "services": "+warung"}
    assert second["answers"] == {"gender": "f", "services": ["school"], "age": 7}


def test_batches_cover_every_response(world, ctx):
    """Responses of another survey interleaved in id order, and a batch size
    smaller than the count, still give each response its own answers."""
    from surveyapp.analytics.filters import Filters
    from surveyapp.exports.layout import build_layout
    from surveyapp.exports.rows import iter_rows

    mine = data.survey(world.org, questions=[data.QUESTIONS[7]])
    other = data.survey(world.org, "Lain", questions=[data.QUESTIONS[7]])
    for n in range(7):
        factories.respond(mine, {"age": str(n)})
        factories.respond(other, {"age": "99"})
    layout = build_layout(mine)
    ages = [row[7] for row in iter_rows(layout, mine.id, Filters(), batch=3)]
    assert ages == list(range(7))


@pytest.mark.parametrize("path", FORMATS)
def test_other_organisation_gets_404(client, world, filled, path):
    login(client, "owner@melati.test")
    assert client.get(f"/surveys/{filled[0].id}/{path}").status_code == 404


@pytest.mark.parametrize("path", FORMATS)
@pytest.mark.parametrize("role,status", [("viewer", 403), ("editor", 200), ("owner", 200)])
def test_roles(client, world, filled, path, role, status):
    login(client, f"{role}@mawar.test")
    assert client.get(f"/surveys/{filled[0].id}/{path}").status_code == status


@pytest.mark.parametrize("path", FORMATS)
def test_anonymous_goes_to_login(client, world, filled, path):
    response = client.get(f"/surveys/{filled[0].id}/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_export_page_escapes_query(client, world, filled):
    login(client, "editor@mawar.test")
    page = client.get(f"/surveys/{filled[0].id}/exports?from={data.XSS}").get_data(as_text=True)
    assert "<img src=x" not in page
