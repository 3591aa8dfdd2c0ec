"""The XLSX export streams (it is zipped as it is written) and opens in
openpyxl and pandas with the right values and types."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from surveyapp.exports import xlsx
from surveyapp.extensions import db
from surveyapp.responses.models import Answer
from tests import factories
from tests.conftest import login
from tests.exports import data


@pytest.fixture
def awkward(world, ctx):
    survey = data.survey(world.org)
    answers = {**data.FULL, "comment": "  spaced\r\nline two\x00\x07 & <b>bold</b>\t", "age": "0", "gender": "f"}
    first = factories.respond(survey, answers, submitted_at=datetime(2026, 3, 1, 4, 0, 5))
    second = factories.respond(
        survey, {"gender": "m", "recommend": "10"}, submitted_at=datetime(2026, 3, 2, 23, 59, 59)
    )
    return survey, first, second


def test_xlsx_values_types_and_text_survive_openpyxl_and_pandas(client, world, awkward):
    survey, first, second = awkward
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/export.xlsx")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["responses", "codebook"]
    rows = list(book["responses"].iter_rows(values_only=True))
    header = rows[0]
    one, two = dict(zip(header, rows[1])), dict(zip(header, rows[2]))
    assert (one["response_id"], two["response_id"]) == (first.id, second.id)
    assert one["submitted_at"] == datetime(2026, 3, 1, 4, 0, 5) and two["submitted_at"] == datetime(
        2026, 3, 2, 23, 59, 59
    )
    assert one["visit"] == datetime(2026, 2, 17) and two["visit"] is None
    assert one["age"] == 0 and isinstance(one["age"], int) and two["recommend"] == 10
    assert one["services_clinic"] == 1 and one["services_school"] == 0 and two["services_clinic"] is None
    stored = db.session.execute(
        db.select(Answer.value_text).where(Answer.response_id == first.id, Answer.value_text.like("%spaced%"))
    ).scalar_one()
    # XML cannot hold NUL or BEL: dropped; the rest as stored.
    assert one["comment"] == stored.replace("\x00", "").replace("\x07", "") and "& <b>bold</b>" in stored
    assert one["services_other_2"] == "'+warung"
    frame = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    assert list(frame) == ["responses", "codebook"]
    assert list(frame["responses"]["response_id"]) == [first.id, second.id]
    assert frame["responses"]["visit"].iloc[0] == pd.Timestamp(2026, 2, 17)
    assert "gender" in set(frame["codebook"]["variable"])


def test_xlsx_leaves_in_pieces_while_rows_are_still_being_read():
    """Bytes go out while rows are still coming: the download starts at
    once and memory stays at a batch, however many rows there are."""
    rng = random.Random(3)
    total, consumed = 20_000, 0

    def rows():
        nonlocal consumed
        for k in range(total):
            consumed += 1
            yield [k, f"{rng.getrandbits(128):032x}"]

    sizes_at = []
    body = b""
    for chunk in xlsx.workbook_chunks(["n", "text"], rows(), [["variable"]]):
        if chunk:
            sizes_at.append(consumed)
        body += chunk
    assert len(sizes_at) > 5 and sizes_at[1] < total // 2
    sheet = load_workbook(io.BytesIO(body), read_only=True)["responses"]
    assert sum(1 for _ in sheet.iter_rows()) == total + 1


def test_rows_past_the_limit_become_a_note():
    chunks = xlsx.workbook_chunks(
        ["n"], ([k] for k in range(10)), [["variable"]], limit=3, too_many_note="More arrived; download CSV."
    )
    rows = list(load_workbook(io.BytesIO(b"".join(chunks)))["responses"].iter_rows(values_only=True))
    assert rows == [("n",), (0,), (1,), (2,), ("More arrived; download CSV.",)]


def test_text_keeps_edge_spaces_and_carriage_returns_and_drops_what_xml_cannot_hold():
    texts = ["  lead", "trail ", "a\r\nb", "x\x00y\x1fz\ud800", "<&>", "'=1+1"]
    body = b"".join(xlsx.workbook_chunks(["t"], ([t] for t in texts), [["v"]]))
    rows = list(load_workbook(io.BytesIO(body))["responses"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["  lead", "trail ", "a\r\nb", "xyz", "<&>", "'=1+1"]


def test_zip64_when_the_sheet_may_pass_two_gigabytes():
    body = b"".join(
        xlsx.workbook_chunks(
            ["d", "t"],
            [["2026-02-17", "2026-03-01T04:00:05Z"]],
            [["v"]],
            date_columns=[0],
            time_columns=[1],
            expected_cells=10**9,
        )
    )
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
    name = b"xl/worksheets/sheet1.xml"
    # The part's local header carries a ZIP64 extra field (id 0x0001) right after its name.
    assert body[body.index(name) + len(name) :][:2] == b"\x01\x00"
    small = b"".join(xlsx.workbook_chunks(["d"], [["x"]], [["v"]]))
    assert small[small.index(name) + len(name) :][:2] != b"\x01\x00"
    rows = list(load_workbook(io.BytesIO(body))["responses"].iter_rows(values_only=True))
    assert rows[1] == (datetime(2026, 2, 17), datetime(2026, 3, 1, 4, 0, 5))


def test_column_letters():
    letters = xlsx.column_letters(800)
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"] and letters[701:703] == ["ZZ", "AAA"]
    assert date(1899, 12, 30) == xlsx.EXCEL_EPOCH_DATE
