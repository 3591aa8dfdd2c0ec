"""Charts of awkward data draw instead of failing: a share of 0% or 100% (whose
interval ends a rounding error past the point) and option labels that
matplotlib would otherwise read as mathtext."""

from __future__ import annotations

import html
import re

import pytest

from surveyapp.analytics import cache
from surveyapp.extensions import db
from tests import factories
from tests.conftest import login
from tests.results import builders as b


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.summaries.clear()
    cache.charts.clear()
    yield


def _survey_all_choosing_one(org, labels: list[str]):
    """12 answers, all for the first option: 100% and 0% (Wilson's low end of 0/12 is 2.8e-17, not 0)."""
    options = [{"code": f"o{k}", "label": {"id": label, "en": label}} for k, label in enumerate(labels)]
    question = {"code": "pick", "type": "single_choice", "title": {"id": "Pilih", "en": "Pick"}, "options": options}
    survey = b.survey(org, questions=[question], public_results=True)
    for _ in range(12):
        factories.respond(survey, {"pick": "o0"}, commit=False)
    db.session.commit()
    return survey, survey.questions[0].id


def _assert_svg(response):
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_chart_of_a_100_and_0_percent_question_renders(client, world):
    survey, qid = _survey_all_choosing_one(world.org, ["Ya", "Tidak"])
    login(client, "owner@mawar.test")
    _assert_svg(client.get(f"/surveys/{survey.id}/results/charts/{qid}.svg"))
    _assert_svg(client.get(f"/s/{survey.public_token}/results/charts/{qid}.svg"))


@pytest.mark.parametrize("label", [r"$\foo$", "$", "a$b$c", "\\\\", "$x^2$"])
def test_option_labels_are_plain_text_not_mathtext(client, world, label):
    survey, qid = _survey_all_choosing_one(world.org, [label, "Lain"])
    login(client, "owner@mawar.test")
    response = client.get(f"/surveys/{survey.id}/results/charts/{qid}.svg")
    _assert_svg(response)
    # svg.fonttype "none" writes plain text as <text>; mathtext would be drawn glyph by glyph
    assert label in [
        html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", response.get_data(as_text=True))
    ]


def test_report_page_and_pdf_with_mathtext_labels_and_full_shares(client, world):
    survey, _ = _survey_all_choosing_one(world.org, [r"$\foo$", "a$b$c"])
    login(client, "owner@mawar.test")
    page = client.get(f"/surveys/{survey.id}/report")
    assert page.status_code == 200 and b"data:image/png;base64," in page.data
    assert client.get(f"/surveys/{survey.id}/report.pdf").status_code == 200
