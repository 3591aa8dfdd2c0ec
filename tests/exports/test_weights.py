"""The weight column of exports: the weighting page's raked weights, per
response, in every format; refused with a 400 when weights cannot be made."""

from __future__ import annotations

import csv
import io
import json

import pytest

from surveyapp.analytics.filters import Filters
from surveyapp.analytics.weighting import weigh
from surveyapp.results.services import load_margins, save_margins
from tests import factories
from tests.conftest import login
from tests.exports import data

QUESTIONS = [
    {
        "code": "gender",
        "type": "single_choice",
        "title": data.t("Jenis kelamin", "Gender"),
        "metric_role": "demographic:gender",
        "options": data.opts("f", "m"),
    },
    {
        "code": "rw",
        "type": "single_choice",
        "title": data.t("RW"),
        "metric_role": "demographic:rw",
        "options": data.opts("rw1", "rw2", "rw3"),
    },
    {"code": "used", "type": "yes_no", "title": data.t("Pernah ke puskesmas?", "Used the clinic?")},
    {"code": "age", "type": "number", "title": data.t("Umur", "Age")},
]

# (gender, rw, used); None = not answered.
PEOPLE = (
    [("f", "rw1", "yes")] * 5
    + [("f", "rw2", "no")] * 4
    + [("f", "rw1", "no")] * 3
    + [("m", "rw1", "yes"), ("m", "rw2", "no"), ("m", "rw2", "yes")]
    + [("f", None, "yes"), (None, "rw2", "no"), ("m", "rw3", "yes")]
)
MARGINS = {"gender": {"f": 480, "m": 520}, "rw": {"rw1": 600, "rw2": 400}}


def _respond(survey, people):
    ids = []
    for k, (gender, rw, used) in enumerate(people):
        answers = {"used": used, "age": str(20 + k)}
        if gender:
            answers["gender"] = gender
        if rw:
            answers["rw"] = rw
        ids.append(factories.respond(survey, answers).id)
    return ids


@pytest.fixture
def weighted(world, ctx):
    survey = data.survey(world.org, questions=QUESTIONS)
    ids = _respond(survey, PEOPLE)
    save_margins(survey.id, MARGINS)
    return survey, ids


def _csv(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_one_dimension_weights_are_post_stratification(client, world, ctx):
    """12 women and 3 men, population half and half: women 0.625, men 2.5
    (computed by hand), a respondent without a gender answer 1."""
    survey = data.survey(world.org, questions=QUESTIONS)
    _respond(survey, [("f", "rw1", "yes")] * 12 + [("m", "rw1", "no")] * 3 + [(None, "rw2", "no")])
    save_margins(survey.id, {"gender": {"f": 500, "m": 500}})
    login(client, "editor@mawar.test")
    rows = _csv(client, f"/surveys/{survey.id}/export.csv?weights=1")
    assert list(rows[0])[:8] == [
        "response_id",
        "status",
        "channel",
        "language",
        "started_at",
        "submitted_at",
        "duration_seconds",
        "weight",
    ]
    assert [float(r["weight"]) for r in rows] == pytest.approx([0.625] * 12 + [2.5] * 3 + [1.0], abs=1e-9)
    # The rest of the row is unchanged by the weight column.
    plain = _csv(client, f"/surveys/{survey.id}/export.csv")
    assert [{k: v for k, v in r.items() if k != "weight"} for r in rows] == plain


def test_weights_equal_the_weighting_page(client, world, weighted):
    survey, ids = weighted
    result = weigh(survey, load_margins(survey.id), "id")
    assert not result["errors"] and result["unplaced"] == 3
    login(client, "editor@mawar.test")
    rows = _csv(client, f"/surveys/{survey.id}/export.csv?weights=1")
    assert [int(r["response_id"]) for r in rows] == ids
    for row, (gender, rw, _used) in zip(rows, PEOPLE):
        expected = result["cell_weights"].get((gender, rw), 1.0)  # rw3 has no population figure: unplaced
        assert float(row["weight"]) == expected  # exact: CSV writes the float's repr
    weights = [float(r["weight"]) for r in rows]
    placed = [w for w, p in zip(weights, PEOPLE) if p[0] and p[1] in MARGINS["rw"]]
    assert min(placed) == result["rake"]["min_weight"] and max(placed) == result["rake"]["max_weight"]
    # The page shows the same raking and says who keeps weight 1.
    page = client.get(f"/surveys/{survey.id}/results/weighting").get_data(as_text=True)
    assert "keep weight 1 (3 people)" in page


def test_weighted_share_equals_the_weighted_estimate(client, world, weighted):
    survey, _ids = weighted
    result = weigh(survey, load_margins(survey.id), "id")
    login(client, "editor@mawar.test")
    rows = _csv(client, f"/surveys/{survey.id}/export.csv?weights=1")
    total = sum(float(r["weight"]) for r in rows if r["used"])
    yes = sum(float(r["weight"]) for r in rows if r["used"] == "yes")
    used = next(e for e in result["estimates"] if e["code"] == "used")
    estimate = next(o for o in used["options"] if o["code"] == "yes")
    assert yes / total == pytest.approx(estimate["weighted_p"], rel=1e-12)
    assert yes / total != pytest.approx(estimate["p"], rel=1e-3)  # weighting changed something
    # And the weighted gender shares meet the population's (placed respondents).
    placed = [r for r in rows if r["gender"] and r["rw"] in MARGINS["rw"]]
    women = sum(float(r["weight"]) for r in placed if r["gender"] == "f") / sum(float(r["weight"]) for r in placed)
    assert women == pytest.approx(480 / 1000, abs=1e-5)


def test_every_format_carries_the_weight(client, world, weighted, tmp_path):
    from openpyxl import load_workbook

    survey, ids = weighted
    login(client, "editor@mawar.test")
    expected = [float(r["weight"]) for r in _csv(client, f"/surveys/{survey.id}/export.csv?weights=1")]
    lines = client.get(f"/surveys/{survey.id}/export.jsonl?weights=1").get_data(as_text=True).splitlines()
    assert [json.loads(line)["weight"] for line in lines] == expected
    book = load_workbook(io.BytesIO(client.get(f"/surveys/{survey.id}/export.xlsx?weights=1").data))
    sheet = list(book["responses"].iter_rows(values_only=True))
    at = sheet[0].index("weight")
    assert [row[at] for row in sheet[1:]] == pytest.approx(expected, rel=1e-15)  # openpyxl writes 16 digits
    codebook = list(
        csv.reader(
            io.StringIO(client.get(f"/surveys/{survey.id}/codebook.csv?weights=1&lang=en").get_data(as_text=True))
        )
    )
    weight_row = next(r for r in codebook if r[0] == "weight")
    assert weight_row[2] == "number" and "population" in weight_row[1]
    response = client.get(f"/surveys/{survey.id}/export.sav?weights=1&lang=en")
    assert response.status_code == 200
    import pyreadstat

    path = tmp_path / "w.sav"
    path.write_bytes(response.data)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["weight"]) == expected
    assert "population" in meta.column_names_to_labels["weight"]
    # Without the option there is no weight column anywhere.
    assert "weight" not in client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True).splitlines()[0]


def test_weights_follow_the_export_filters(client, world, weighted):
    """Raking runs on the responses the file holds, so with a filter the
    file's own weighted shares still meet the margins."""
    survey, _ids = weighted
    partial = factories.respond(survey, {"gender": "m", "rw": "rw1"}, status="partial")
    login(client, "editor@mawar.test")
    rows = _csv(client, f"/surveys/{survey.id}/export.csv?weights=1&status=all")
    assert int(rows[-1]["response_id"]) == partial.id
    result = weigh(survey, load_margins(survey.id), "id", Filters(statuses=("complete", "partial")))
    assert float(rows[-1]["weight"]) == result["cell_weights"][("m", "rw1")]
    placed = [r for r in rows if r["gender"] and r["rw"] in MARGINS["rw"]]
    men = sum(float(r["weight"]) for r in placed if r["gender"] == "m") / sum(float(r["weight"]) for r in placed)
    assert men == pytest.approx(520 / 1000, abs=1e-5)


@pytest.mark.parametrize("path", ["export.csv", "export.xlsx", "export.sav", "export.jsonl", "codebook.csv"])
def test_no_margins_is_a_400_not_an_unweighted_file(client, world, ctx, path):
    survey = data.survey(world.org, questions=QUESTIONS)
    _respond(survey, PEOPLE[:3])
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/{path}?weights=1")
    assert response.status_code == 400
    assert "population figures" in response.get_data(as_text=True)


def test_raking_that_does_not_converge_is_a_400(client, world, ctx):
    survey = data.survey(world.org, questions=QUESTIONS)
    # Only women in rw1 and men in rw2: margins asking for women in rw2 cannot be met with the cap.
    _respond(survey, [("f", "rw1", "yes")] * 10 + [("m", "rw2", "no")])
    save_margins(survey.id, {"gender": {"f": 100, "m": 900}, "rw": {"rw1": 900, "rw2": 50, "rw3": 50}})
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/export.csv?weights=1")
    assert response.status_code == 400
    assert "did not converge" in response.get_data(as_text=True)


def test_weights_of_another_organisation_are_404(client, world, weighted):
    login(client, "owner@melati.test")
    assert client.get(f"/surveys/{weighted[0].id}/export.csv?weights=1").status_code == 404


def test_cli_weights_flag(runner, world, weighted, tmp_path):
    survey, ids = weighted
    out = tmp_path / "w.csv"
    result = runner.invoke(
        args=["surveys", "export", str(survey.id), "--format", "csv", "--weights", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    expected = weigh(survey, load_margins(survey.id), "id")["cell_weights"]
    assert [float(r["weight"]) for r in rows] == [expected.get((g, rw), 1.0) for g, rw, _u in PEOPLE]
    other = data.survey(world.org, "Tanpa margin", questions=QUESTIONS)
    result = runner.invoke(args=["surveys", "export", str(other.id), "--weights", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "population figures" in result.output


def test_export_page_offers_weights(client, world, weighted):
    login(client, "editor@mawar.test")
    page = client.get(f"/surveys/{weighted[0].id}/exports?weights=1").get_data(as_text=True)
    assert 'name="weights"' in page and "checked" in page
    assert "weights=1" in page  # the file links carry the choice
