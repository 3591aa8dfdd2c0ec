"""Survey reports: PDF and print page from the summary, in the survey's
language, with suppression; roles and other organisations."""

from __future__ import annotations

from datetime import datetime

import pytest

from surveyapp.reports import content, pdf
from tests import factories
from tests.conftest import login
from tests.exports import data


@pytest.fixture
def answered(world, ctx):
    survey = data.survey(world.org, "Survei " + data.XSS)
    for n in range(12):
        factories.respond(
            survey,
            {
                "gender": "f" if n < 7 else "m",
                "overall": str(1 + n % 5),
                "recommend": str(n),
                "aspects": {"speed": "4", "staff": "2"},
                "services": ["clinic"],
                "priorities": {"roads": "1", "water": "2", "light": "3"},
                "comment": "Jalan rusak",
            },
            submitted_at=datetime(2026, 3, 1 + n, 3),
            check=False,
        )
    factories.respond(survey, {"gender": "x"}, check=False)  # a small group: below the privacy floor
    return survey


def test_report_content_from_summary(answered):
    report = content.build(answered)
    assert report.organisation == "Kelurahan Mawar" and report.language == "id"
    assert report.facts[0][1] == "13"  # n: every complete response
    gender = next(b for b in report.questions if b.code == "gender")
    shares = {r.label: r for r in gender.rows}
    assert (
        shares["Perempuan"].count == 7
        and shares["Perempuan"].low < shares["Perempuan"].share < shares["Perempuan"].high
    )
    assert shares["Lainnya"].count is None  # 1 answer: under the privacy floor (k = 5)
    aspects = next(b for b in report.questions if b.code == "aspects")
    assert [round(r.share, 2) for r in aspects.rows] == [4.0, 2.0] and all(r.is_mean for r in aspects.rows)
    assert any("Wilson" in line for line in report.methods)
    assert any("AAPOR" in line for line in report.methods)  # an open link: indicative wording


def test_english_report(answered):
    report = content.build(answered, language="en")
    assert report.language == "en" and report.facts[3][0] == "Completion rate"
    gender = next(b for b in report.questions if b.code == "gender")
    assert [r.label for r in gender.rows][:2] == ["Option f", "Option m"]


def test_pdf_is_a_pdf_with_the_text(answered):
    body = pdf.render(content.build(answered))
    assert body.startswith(b"%PDF") and b"DejaVu" in body
    assert body.count(b"/Subtype /Image") >= 5  # a chart per chart-able question


def test_pdf_route_and_print_page(client, world, answered):
    login(client, "viewer@mawar.test")
    response = client.get(f"/surveys/{answered.id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
    page = client.get(f"/surveys/{answered.id}/report?lang=en").get_data(as_text=True)
    assert "Methods" in page and "data:image/png;base64," in page
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert client.get(f"/surveys/{answered.id}/report?from=bad").status_code == 400


@pytest.mark.parametrize("path", ["report.pdf", "report"])
def test_other_organisation_404(client, world, answered, path):
    login(client, "owner@melati.test")
    assert client.get(f"/surveys/{answered.id}/{path}").status_code == 404


@pytest.mark.parametrize("path", ["report.pdf", "report"])
@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_roles(client, world, answered, path, role):
    login(client, f"{role}@mawar.test")
    assert client.get(f"/surveys/{answered.id}/{path}").status_code == 200


@pytest.mark.parametrize("path", ["report.pdf", "report"])
def test_anonymous_to_login(client, world, answered, path):
    assert client.get(f"/surveys/{answered.id}/{path}").status_code == 302
