"""Workbooks built to hurt: malformed XML inside a valid zip, and "bombs"
(small compressed, huge unpacked, or millions of cells). Each is refused
with a message naming what is wrong, fast, and stores nothing."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from surveyapp import limits
from surveyapp.extensions import db
from surveyapp.surveys.models import Survey
from surveyapp.xlsform.services import import_xlsform
from surveyapp.xlsform.workbook import XLSFormError
from tests.conftest import get_csrf, login
from tests.xlsform import forms

LIMIT = 5 * 1024 * 1024
NOT_READABLE = "not a readable Excel workbook"


def good_book() -> bytes:
    return forms.book([forms.q("text", "nama", "Nama")], [forms.c("yn", "y", "Ya")])


def rebuilt(
    replace: dict[str, bytes | None], add: dict[str, bytes] | None = None, source: bytes | None = None
) -> bytes:
    """A copy of a good workbook with members replaced (None drops one) or added."""
    original = zipfile.ZipFile(io.BytesIO(source or good_book()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for info in original.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    archive.writestr(info.filename, replace[info.filename])
            else:
                archive.writestr(info.filename, original.read(info.filename))
        for name, content in (add or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def sheet(rows_xml: bytes, dimension: str = "A1:B2") -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="' + dimension.encode() + b'"/><sheetData>' + rows_xml + b"</sheetData></worksheet>"
    )


def survey_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Survey)).scalar_one()


def refused(content: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(XLSFormError) as error:
        import_xlsform(1, None, content, "x.xlsx", LIMIT)
    assert time.perf_counter() - started < 1.0
    return error.value.problems[0]


# ---- malformed XML inside the zip ----------------------------------------------


@pytest.mark.parametrize(
    "member,content",
    [
        ("xl/workbook.xml", b"<workbook><sheets><sheet name="),
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c><v>1</v></row>"),
        ("xl/styles.xml", b"\x00\x01 not xml"),
        ("xl/_rels/workbook.xml.rels", b"<Relationships><Relationship Id="),
        ("[Content_Types].xml", None),
        ("xl/workbook.xml", None),
        ("xl/worksheets/sheet1.xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet>&a;</worksheet>'),
    ],
)
def test_malformed_parts_are_not_readable(world, ctx, member, content):
    assert NOT_READABLE in refused(rebuilt({member: content}))
    assert survey_count() == 0


def test_upload_page_answers_malformed_workbook_with_4xx(client, world, ctx):
    login(client, "editor@mawar.test")
    url = "/surveys/import-xlsform"
    content = rebuilt({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})
    response = client.post(url, data={"csrf_token": get_csrf(client, url), "xlsform": (io.BytesIO(content), "f.xlsx")})
    assert response.status_code == 422 and NOT_READABLE in response.get_data(as_text=True)
    assert survey_count() == 0


# ---- bombs ----------------------------------------------------------------------


def test_two_million_cells_in_a_row(world, ctx):
    row = b'<row r="1">' + b"<c/>" * 2_000_000 + b"</row>"  # the dimension lies: "A1:B2"
    content = rebuilt({"xl/worksheets/sheet1.xml": sheet(row)})
    assert len(content) < 100_000
    message = refused(content)
    assert "survey" in message and format(limits.XLSX_MAX_COLUMNS, ",") in message and "cells" in message
    assert survey_count() == 0


def test_a_million_rows(world, ctx):
    rows = b"<row><c/></row>" * 1_000_000
    content = rebuilt({"xl/worksheets/sheet2.xml": sheet(rows)})
    message = refused(content)
    assert "choices" in message and format(limits.XLSX_MAX_ROWS, ",") in message
    assert survey_count() == 0


def test_dimension_claiming_a_huge_sheet(world, ctx):
    content = rebuilt({"xl/worksheets/sheet1.xml": sheet(b"<row><c/></row>", "A1:XFD1048576")})
    assert format(limits.XLSX_MAX_ROWS, ",") in refused(content)


def test_too_many_cells_over_all_sheets(world, ctx, monkeypatch):
    monkeypatch.setattr(limits, "XLSX_MAX_CELLS", 1_000)
    rows = b"<row>" + b"<c/>" * 600 + b"</row>"
    content = rebuilt({"xl/worksheets/sheet1.xml": sheet(rows), "xl/worksheets/sheet2.xml": sheet(rows)})
    assert "1,000 cells" in refused(content)


def test_external_choices_million_rows_unpack_past_the_limit(world, ctx):
    rows = b"".join(b'<row><c t="inlineStr"><is><t>kota</t></is></c></row>' for _ in range(500_000))
    content = forms.book([forms.q("text", "nama", "Nama")], [])
    content = rebuilt({}, add={"xl/worksheets/sheet9.xml": sheet(rows)}, source=content)
    assert len(content) < 1_000_000
    assert format(limits.XLSX_MAX_UNCOMPRESSED, ",") in refused(content)


def test_a_million_shared_strings(world, ctx):
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>a</t></si>" * (limits.XLSX_MAX_SHARED_STRINGS + 1)
        + b"</sst>"
    )
    content = rebuilt({}, add={"xl/sharedStrings.xml": strings})
    assert format(limits.XLSX_MAX_SHARED_STRINGS, ",") in refused(content)


def test_too_many_members(world, ctx):
    content = rebuilt({}, add={f"xl/media/{i}.bin": b"" for i in range(limits.XLSX_MAX_MEMBERS + 1)})
    assert format(limits.XLSX_MAX_MEMBERS, ",") in refused(content)


def test_a_good_workbook_still_imports(world, ctx):
    assert import_xlsform(world.org.id, None, good_book(), "x.xlsx", LIMIT).survey.id


def test_upload_page_refuses_a_bomb_quickly_and_stores_nothing(client, world, ctx):
    content = rebuilt({"xl/worksheets/sheet1.xml": sheet(b"<row>" + b"<c/>" * 2_000_000 + b"</row>")})
    login(client, "editor@mawar.test")
    url = "/surveys/import-xlsform"
    token = get_csrf(client, url)
    started = time.perf_counter()
    response = client.post(url, data={"csrf_token": token, "xlsform": (io.BytesIO(content), "bomb.xlsx")})
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 422
    assert f"more than {limits.XLSX_MAX_COLUMNS:,} cells" in response.get_data(as_text=True)
    assert survey_count() == 0
