"""XLSForm import and export: the household form, round trips through
pyxform, bad workbooks, offline submissions, routes and roles."""

from __future__ import annotations

import io
import uuid

import pytest
from pyxform.xls2xform import convert

from surveyapp.extensions import db
from surveyapp.responses import services as responses
from surveyapp.responses.models import Response
from surveyapp.surveys.definition import export_definition, validate
from surveyapp.surveys.models import Survey
from surveyapp.xlsform import importer
from surveyapp.xlsform.exporter import survey_to_xlsform
from surveyapp.xlsform.services import import_xlsform
from surveyapp.xlsform.workbook import MAX_ROWS, XLSFormError
from tests.conftest import get_csrf, login
from tests.exports import data
from tests.xlsform import forms

LIMIT = 5 * 1024 * 1024


def pyxform_accepts(content: bytes) -> str:
    result = convert(content, file_type=".xlsx", warnings=[])
    assert "<h:html" in result.xform
    return result.xform


def survey_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Survey)).scalar_one()


def test_household_form_imports_with_report(world, ctx):
    result = import_xlsform(world.org.id, None, forms.household(), "household.xlsx", LIMIT)
    document = export_definition(result.survey)
    assert document["languages"] == ["id", "en"] and document["default_language"] == "id"
    assert document["title"]["id"] == "Asesmen kebutuhan rumah tangga"
    first, second = document["pages"]
    assert first["title"] == {"id": "Rumah tangga", "en": "Household"}
    assert second["logic"] == {"question": "members", "op": "gt", "value": 0}
    questions = {q["code"]: q for page in document["pages"] for q in page["questions"]}
    members = questions["members"]
    assert members["type"] == "number" and members["required"] is True
    assert members["settings"] == {"integer": True, "min": 1, "max": 30}
    assert members["help_text"] == {"id": "Termasuk anak-anak", "en": "Including children"}
    assert questions["has_children"]["type"] == "yes_no"
    assert questions["children"]["logic"] == {"question": "has_children", "op": "equals", "value": "yes"}
    assert questions["needs_top"]["type"] == "multiple_choice" and questions["needs_top"]["required"] is True
    assert questions["needs_note"]["type"] == "long_text"
    assert questions["needs_note"]["logic"] == {
        "all": [
            {"question": "needs_top", "op": "equals", "value": "health"},
            {"question": "members", "op": "gt", "value": 2},
        ]
    }
    assert questions["income"]["settings"] == {"min": 0}
    assert questions["visit"]["type"] == "date" and questions["thanks"]["type"] == "note"
    assert "location" not in questions and "start" not in questions
    assert "rooms" in questions and "logic" not in questions["rooms"]
    report = {line.row: line.message for line in result.report}
    assert "metadata" in report[2]
    assert "choice_filter" in report[16]
    assert "geopoint" in report[17]
    assert "string-length" in report[18] and "always shown" in report[18]


def test_household_answered_then_exported_back_to_pyxform(world, ctx):
    survey = import_xlsform(world.org.id, None, forms.household(), "household.xlsx", LIMIT).survey
    survey.status = "open"
    db.session.commit()
    stored = responses.submit_complete(
        survey,
        {
            "members": "4",
            "has_children": "yes",
            "children": "2",
            "water_source": "other",
            "water_other": "Mata air",
            "needs_top": ["health", "jobs"],
            "needs_note": "Posyandu jauh",
            "income": "2.5",
            "visit": "2026-01-10",
            "district": "d1",
            "village": "v1",
            "rooms": "3",
        },
        str(uuid.uuid4()),
        "link",
        "id",
    )
    assert stored.status == "complete"
    with pytest.raises(responses.ValidationFailed) as failure:
        responses.submit_complete(
            survey,
            {"members": "99", "has_children": "no", "water_source": "pipe", "needs_top": ["school"]},
            str(uuid.uuid4()),
            "link",
            "id",
        )
    assert "members" in failure.value.errors  # the imported constraint holds
    xform = pyxform_accepts(survey_to_xlsform(survey))
    assert "selected(" in xform and "Posyandu" not in xform


def test_suara_to_xlsform_to_suara_to_xlsform(world, ctx):
    questions = [dict(q) for q in data.QUESTIONS]
    questions[1] = {**questions[1], "logic": {"question": "gender", "op": "any_of", "value": ["f", "x"]}}
    questions[3] = {**questions[3], "logic": {"question": "overall", "op": "gt", "value": 3}}
    questions[9] = {
        **questions[9],
        "logic": {
            "any": [
                {"question": "services", "op": "equals", "value": "clinic"},
                {"question": "age", "op": "lt", "value": 18},
            ]
        },
    }
    # age (index 7) moves before the comment's logic refers to it
    original = data.survey(world.org, questions=questions[:3] + [questions[7]] + questions[3:7] + questions[8:])
    first = survey_to_xlsform(original)
    xform = pyxform_accepts(first)
    assert "selected( /data/page_1/services , 'clinic')" in xform
    assert "/data/page_1/age  &lt; 18" in xform
    back = import_xlsform(world.org.id, None, first, "back.xlsx", LIMIT)
    document = export_definition(back.survey)
    assert validate(document) == []
    codes = {q["code"]: q for page in document["pages"] for q in page["questions"]}
    assert codes["gender"]["type"] == "single_choice" and [o["code"] for o in codes["gender"]["options"]] == [
        "f",
        "m",
        "x",
    ]
    assert codes["gender_other"]["type"] == "short_text"  # "other" became an explicit text question
    assert codes["services"]["logic"] == {
        "any": [
            {"question": "gender", "op": "equals", "value": "f"},
            {"question": "gender", "op": "equals", "value": "x"},
        ]
    }
    assert codes["age"]["settings"] == {"integer": True, "min": 0, "max": 120}
    assert codes["recommend"]["settings"] == {"integer": True, "min": 0, "max": 10}
    assert codes["priorities"]["type"] == "ranking" and codes["used"]["type"] == "yes_no"
    assert codes["aspects_speed"]["type"] == "single_choice"  # a matrix comes back as one question per row
    assert codes["comment"]["type"] == "long_text"
    pyxform_accepts(survey_to_xlsform(back.survey))


def test_labels_with_formula_characters_stay_text(world, ctx):
    questions = [{"code": "q1", "type": "short_text", "title": data.t("=1+1 " + data.XSS)}]
    survey = data.survey(world.org, questions=questions)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(survey_to_xlsform(survey)))
    labels = [row for row in book["survey"].iter_rows(values_only=True) if row[1] == "q1"][0]
    assert labels[2] == "=1+1 " + data.XSS
    assert book["survey"]["C5"].data_type == "s"
    pyxform_accepts(survey_to_xlsform(survey))


@pytest.mark.parametrize(
    "content,fragment",
    [
        (b"not a zip at all", "not a readable Excel workbook"),
        (b"PK\x03\x04broken zip", "not a readable Excel workbook"),
    ],
)
def test_corrupt_files_are_refused(world, ctx, content, fragment):
    with pytest.raises(XLSFormError) as error:
        import_xlsform(world.org.id, None, content, "x.xlsx", LIMIT)
    assert fragment in error.value.problems[0]
    assert survey_count() == 0


def test_workbook_without_survey_sheet(world, ctx):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Sheet1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(XLSFormError) as error:
        import_xlsform(world.org.id, None, buffer.getvalue(), "x.xlsx", LIMIT)
    assert 'no sheet named "survey"' in error.value.problems[0] and "Sheet1" in error.value.problems[0]


def test_pyxform_refusal_names_the_problem(world, ctx):
    content = forms.book([forms.q("select_one nolist", "a", "A")], [forms.c("other", "x", "X")])
    with pytest.raises(XLSFormError) as error:
        import_xlsform(world.org.id, None, content, "x.xlsx", LIMIT)
    assert "not a valid XLSForm" in error.value.problems[0] and "nolist" in error.value.problems[0]
    assert survey_count() == 0


def test_too_many_rows_and_too_large(world, ctx):
    rows = [forms.q("text", f"t{i}", f"T{i}") for i in range(MAX_ROWS + 1)]
    content = forms.book(rows, [])
    with pytest.raises(XLSFormError) as error:
        import_xlsform(world.org.id, None, content, "x.xlsx", LIMIT)
    assert "5,000" in error.value.problems[0]
    with pytest.raises(XLSFormError) as error:
        import_xlsform(world.org.id, None, content, "x.xlsx", 1000)
    assert "limit" in error.value.problems[0]
    assert survey_count() == 0


def test_unknown_types_and_unrepresentable_logic_are_reported(world, ctx):
    content = forms.book(
        [
            forms.q("integer", "age", "Umur"),
            forms.q("image", "photo", "Foto"),
            forms.q("text", "why", "Kenapa", relevant="${age} * 2 > 10"),
            forms.q("decimal", "w", "Berat", constraint=". > 0.5"),
            forms.q("begin repeat", "kids", "Anak"),
            forms.q("text", "kid_name", "Nama anak"),
            forms.q("end repeat", "kids", ""),
            forms.q("text", "after", "Sesudah", relevant="${kid_name} != ''"),
        ],
        [],
    )
    result = import_xlsform(world.org.id, None, content, "x.xlsx", LIMIT)
    report = {line.row: line.message for line in result.report}
    assert "image" in report[3]
    assert "cannot be represented" in report[4]
    assert "end point" in report[5]
    assert "Repeat" in report[6] and "inside a repeat" in report[7]
    assert "not an earlier question" in report[9]
    codes = [q.code for q in result.survey.questions]
    assert codes == ["age", "why", "w", "after"]


def test_relevant_expressions():
    known = {
        "a": {"code": "a", "type": "single_choice", "options": {"x": "x", "y y": "y_y"}},
        "n": {"code": "n", "type": "number", "integer": True},
        "m": {"code": "m", "type": "multiple_choice", "options": {}},
    }
    parse = lambda text: importer.parse_relevant(text, known.get)  # noqa: E731
    assert parse("${a} = 'x'") == {"question": "a", "op": "equals", "value": "x"}
    assert parse("${a} != 'y y'") == {"question": "a", "op": "not_equals", "value": "y_y"}
    assert parse("not(selected(${m}, 'k'))") == {"question": "m", "op": "not_equals", "value": "k"}
    assert parse("${n} >= 18 or (${a} = 'x' and ${n} != '')") == {
        "any": [
            {"question": "n", "op": "gt", "value": 17},
            {"all": [{"question": "a", "op": "equals", "value": "x"}, {"question": "n", "op": "answered"}]},
        ]
    }
    assert parse("5 < ${n}") == {"question": "n", "op": "gt", "value": 5}
    for bad in ("${a} > 3", "count(${m}) > 1", "${zz} = 'x'", "${a} = ", "${a} = 'x' and"):
        with pytest.raises(importer.Unsupported):
            parse(bad)


def test_offline_submissions_import_once_with_report(client, world, ctx):
    survey = import_xlsform(world.org.id, None, forms.household(), "household.xlsx", LIMIT).survey
    survey.status = "open"
    db.session.commit()
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    content = forms.kobo_csv(
        [
            [
                "2026-03-01T08:00:00.000+07:00",
                "2026-03-01T08:09:00.000+07:00",
                "5",
                "no",
                "pipe",
                "",
                "health jobs",
                "1",
                "0",
                "1",
                "3.5",
                "zz",
                good,
                "2026-03-01T01:10:00",
            ],
            ["2026-03-01T09:00:00.000+07:00", "", "500", "no", "pipe", "", "school", "0", "1", "0", "", "", bad, ""],
            ["", "", "2", "no", "lake", "", "jobs", "", "", "", "", "", "not-a-uuid", ""],
        ]
    )
    login(client, "editor@mawar.test")
    url = f"/surveys/{survey.id}/offline-import"
    response = client.post(
        url, data={"csrf_token": get_csrf(client, url), "submissions": (io.BytesIO(content), "kobo.csv")}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stored: 1" in page and "Rejected: 2" in page and "row 3: members" in page and "row 4" in page
    assert "unknown_col" in page
    stored = db.session.execute(db.select(Response).filter_by(survey_id=survey.id)).scalars().all()
    assert len(stored) == 1 and stored[0].submission_id == good and stored[0].channel == "offline_app"
    assert stored[0].duration_seconds is not None
    again = client.post(
        url, data={"csrf_token": get_csrf(client, url), "submissions": (io.BytesIO(content), "kobo.csv")}
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Stored: 0" in page and "Already imported before: 1" in page
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 1


def test_offline_file_without_ids_is_refused(client, world, ctx):
    survey = data.survey(world.org)
    login(client, "editor@mawar.test")
    url = f"/surveys/{survey.id}/offline-import"
    response = client.post(
        url, data={"csrf_token": get_csrf(client, url), "submissions": (io.BytesIO(b"gender,age\nf,3\n"), "x.csv")}
    )
    assert response.status_code == 422 and "_uuid" in response.get_data(as_text=True)


def test_upload_page_creates_survey_and_escapes_report(client, world, ctx):
    content = forms.book([forms.q("text", "nama", data.XSS), forms.q("geopoint", "g", "G")], [])
    login(client, "editor@mawar.test")
    url = "/surveys/import-xlsform"
    response = client.post(url, data={"csrf_token": get_csrf(client, url), "xlsform": (io.BytesIO(content), "f.xlsx")})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "geopoint" in page and "<img src=x" not in page
    bad = client.post(url, data={"csrf_token": get_csrf(client, url), "xlsform": (io.BytesIO(b"junk"), "f.xlsx")})
    assert bad.status_code == 422 and "not a readable Excel workbook" in bad.get_data(as_text=True)
    assert survey_count() == 1


def test_cli_import_xlsform(runner, world, ctx, tmp_path):
    path = tmp_path / "household.xlsx"
    path.write_bytes(forms.household())
    result = runner.invoke(args=["surveys", "import-xlsform", str(path), "--org", world.org.slug])
    assert result.exit_code == 0, result.output
    survey_id = int(result.output.splitlines()[0])
    assert db.session.get(Survey, survey_id).organisation_id == world.org.id
    assert "geopoint" in result.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"nope")
    result = runner.invoke(args=["surveys", "import-xlsform", str(broken), "--org", world.org.slug])
    assert result.exit_code == 1 and "not a readable Excel workbook" in result.output


@pytest.fixture
def owned(world, ctx):
    survey = data.survey(world.org)
    from surveyapp.xlsform.models import ImportReport

    report = ImportReport(organisation_id=world.org.id, survey_id=survey.id, kind="xlsform", lines=["x"])
    db.session.add(report)
    db.session.commit()
    return {"survey": survey.id, "report": report.id}


ROUTES = [
    ("/surveys/{survey}/xlsform.xlsx", "viewer"),
    ("/surveys/{survey}/offline-import", "editor"),
    ("/surveys/imports/{report}", "editor"),
    ("/surveys/import-xlsform", "editor"),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}


@pytest.mark.parametrize("url,needed", ROUTES)
@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_roles(client, owned, url, needed, role):
    login(client, f"{role}@mawar.test")
    status = client.get(url.format(**owned)).status_code
    assert status == (200 if RANK[role] >= RANK[needed] else 403)


@pytest.mark.parametrize("url,needed", [r for r in ROUTES if "{" in r[0]])
def test_other_organisation_gets_404(client, owned, url, needed):
    login(client, "owner@melati.test")
    assert client.get(url.format(**owned)).status_code == 404
    token = get_csrf(client, "/dashboard")
    if "offline" in url:
        assert client.post(url.format(**owned), data={"csrf_token": token}).status_code == 404
