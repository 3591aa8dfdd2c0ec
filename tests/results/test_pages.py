"""Results pages: filters, privacy floor, public results, charts, answers,
cross-tab, weighting and wave comparison, checked against independent
computations."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import numpy as np
import pytest
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from surveyapp.analytics import cache
from surveyapp.extensions import db
from surveyapp.results.models import SurveyPopulationMargin
from tests import factories
from tests.conftest import get_csrf, login
from tests.results import builders as b

XSS = '"><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.summaries.clear()
    cache.charts.clear()
    yield


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def survey(world):
    """12 women and 3 men; 2 of the men in rw2."""
    s = b.survey(world.org, public_results=True)
    for k in range(15):
        woman = k < 12
        factories.respond(
            s,
            {
                "gender": "f" if woman else "m",
                "rw": "rw1" if woman or k == 12 else "rw2",
                "overall": str(1 + k % 5),
                "used": "yes" if k % 3 else "no",
                "comment": f"jalan rusak {k}",
                "services": {"choices": ["clinic", "other"], "other": f"lainnya {k}"},
            },
            submitted_at=datetime(2026, 3, 2, 3) + timedelta(days=k % 3),
            commit=False,
        )
    db.session.commit()
    return s


# ---- filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query,message",
    [
        ("answer=nope:f", "no choice question with the code nope"),
        ("answer=gender:x", "has no option x"),
        ("from=2026-03-05&to=2026-03-01", "is after the end date"),
        ("from=yesterday", "not a date"),
        ("channel=carrier-pigeon", "Unknown channel"),
        ("language=fr", "not offered in the language fr"),
        ("status=deleted", "Unknown response status"),
        # Days whose local midnight has no UTC datetime (found by the route crawler).
        ("from=0001-01-01", "between 1900-01-01 and 2999-12-31"),
        ("to=9999-12-31", "between 1900-01-01 and 2999-12-31"),
    ],
)
def test_bad_filters_get_a_clear_400(client, world, survey, query, message):
    login(client, "owner@mawar.test")
    for url in (f"/surveys/{survey.id}/results?{query}", f"/surveys/{survey.id}/results/charts/0.svg?{query}"):
        response = client.get(url)
        assert response.status_code == 400
        assert message in text(response)


def test_filter_values_are_escaped_in_messages(client, world, survey):
    login(client, "owner@mawar.test")
    response = client.get(f"/surveys/{survey.id}/results", query_string={"answer": f"gender:{XSS}"})
    assert response.status_code == 400
    assert XSS not in text(response) and "&lt;img" in text(response)


def test_filters_apply_to_the_whole_summary(client, world, survey):
    login(client, "owner@mawar.test")
    page = text(client.get(f"/surveys/{survey.id}/results?answer=gender:m"))
    assert re.search(r"Responses counted</dt><dd>3<", page)
    page = text(client.get(f"/surveys/{survey.id}/results?from=2026-03-03&to=2026-03-03"))
    # local days (UTC+7): k % 3 == 1 lands on 2026-03-03
    assert re.search(r"Responses counted</dt><dd>5<", page)


# ---- privacy floor ----------------------------------------------------------


def test_viewer_filtered_view_below_k_is_suppressed(client, world, survey):
    login(client, "viewer@mawar.test")
    page = text(client.get(f"/surveys/{survey.id}/results?answer=gender:m"))  # 3 men < k = 5
    assert "Fewer than 5 respondents are in this view" in page
    assert "Responses counted" not in page


def test_viewer_filter_leaving_few_outside_is_suppressed(client, world, survey):
    """Women are 12 of 15: the complement (3 men) could be read by subtraction."""
    login(client, "viewer@mawar.test")
    page = text(client.get(f"/surveys/{survey.id}/results?answer=gender:f"))
    assert "leaves fewer than 5 respondents outside it" in page


def test_viewer_filtered_cells_suppressed_with_complement(client, world, survey, ctx):
    from werkzeug.datastructures import MultiDict

    from surveyapp.analytics.filters import parse_filters
    from surveyapp.analytics.service import summary_for

    # rw1 has 13 (12 women + 1 man), rw2 has 2 men. Filter on "used = yes": 10 of 15.
    filters = parse_filters(MultiDict([("answer", "used:yes")]), survey)
    doc = summary_for(survey, filters, "id", privacy_k=5)
    assert doc["n"] == 10
    rw = next(q for q in doc["questions"] if q["code"] == "rw")
    cells = {o["code"]: o for o in rw["options"]}
    hidden = [code for code, cell in cells.items() if cell.get("suppressed")]
    counts = {code: cell["count"] for code, cell in cells.items()}
    # Whatever is shown, no hidden cell can be recovered from the total and the others.
    assert len(hidden) != 1
    for cell in cells.values():
        if not cell.get("suppressed"):
            assert cell["count"] == 0 or cell["count"] >= 5
    assert all(v is None for code, v in counts.items() if code in hidden)
    comment = next(q for q in doc["questions"] if q["code"] == "comment")
    assert comment["answers"]["items"] == [] and comment["answers"]["hidden"]


def test_editors_see_filtered_views_without_suppression(client, world, survey):
    login(client, "editor@mawar.test")
    page = text(client.get(f"/surveys/{survey.id}/results?answer=gender:m"))
    assert re.search(r"Responses counted</dt><dd>3<", page)


# ---- public results ---------------------------------------------------------


def test_public_results_need_opt_in(client, world, survey):
    assert client.get(f"/s/{survey.public_token}/results").status_code == 200
    survey.settings = {}
    db.session.commit()
    assert client.get(f"/s/{survey.public_token}/results").status_code == 404
    assert client.get(f"/s/{survey.public_token}/results/charts/0.svg").status_code == 404
    assert client.get("/s/not-a-token/results").status_code == 404


def test_public_results_suppress_and_hide_texts(client, world, survey):
    page = text(client.get(f"/s/{survey.public_token}/results"))
    assert "jalan rusak 3" not in page and "lainnya 3" not in page  # no free text in public
    assert "fewer than 5" in page  # the 3 men
    assert "Responses counted</dt><dd>15<" in page


def test_public_results_in_the_residents_language(client, world, survey):
    page = text(client.get(f"/s/{survey.public_token}/results?lang=en"))
    assert '<html lang="en">' in page and "Responses counted" in page
    page = text(client.get(f"/s/{survey.public_token}/results?lang=id"))
    assert '<html lang="id">' in page


def test_public_results_of_a_tiny_survey_show_nothing(client, world):
    s = b.survey(world.org, public_results=True)
    for _ in range(3):
        factories.respond(s, {"gender": "f"})
    page = text(client.get(f"/s/{s.public_token}/results"))
    assert "Fewer than 5 respondents are in this view" in page


# ---- charts -----------------------------------------------------------------


def test_chart_is_svg_with_caching_headers(client, world, survey):
    login(client, "owner@mawar.test")
    qid = next(q.id for q in survey.questions if q.code == "gender")
    response = client.get(f"/surveys/{survey.id}/results/charts/{qid}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<svg" in response.data
    assert "max-age" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/surveys/{survey.id}/results/charts/{qid}.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    factories.respond(survey, {"gender": "f"})  # a new response makes the cached chart stale
    fresh = client.get(f"/surveys/{survey.id}/results/charts/{qid}.svg", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def test_summary_cache_follows_new_responses(client, world, survey):
    login(client, "owner@mawar.test")
    assert "Responses counted</dt><dd>15<" in text(client.get(f"/surveys/{survey.id}/results"))
    factories.respond(survey, {"gender": "f"})
    assert "Responses counted</dt><dd>16<" in text(client.get(f"/surveys/{survey.id}/results"))


def test_chart_of_a_question_without_answers_is_404(client, world):
    s = b.survey(world.org)
    login(client, "owner@mawar.test")
    qid = s.questions[0].id
    assert client.get(f"/surveys/{s.id}/results/charts/{qid}.svg").status_code == 404
    page = text(client.get(f"/surveys/{s.id}/results"))
    assert "No answers yet." in page and f"charts/{qid}.svg" not in page


def test_every_chart_on_the_page_renders(client, world, survey):
    login(client, "owner@mawar.test")
    page = text(client.get(f"/surveys/{survey.id}/results"))
    urls = re.findall(r'<img src="([^"]+\.svg[^"]*)"', page)
    assert len(urls) >= 5
    for url in urls:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


# ---- answers and escaping ---------------------------------------------------


def test_text_answers_are_searchable_paginated_and_escaped(client, world, survey):
    for k in range(10):
        factories.respond(survey, {"comment": f"lampu mati {k}"}, commit=False)
    factories.respond(survey, {"comment": XSS, "gender": "f"})
    login(client, "owner@mawar.test")
    qid = next(q.id for q in survey.questions if q.code == "comment")
    page = text(client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers"))
    assert re.search(r'role="status">26 ', page) and "page=2" in page
    assert XSS not in page and "&lt;img src=x" in page
    page2 = text(client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers?page=2"))
    assert "jalan rusak 0" in page2 and "jalan rusak 9" not in page2 and "page=1" in page2
    found = text(client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers?q=rusak 1"))
    assert re.search(r'role="status">6 ', found)  # 1, 10..14
    assert client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers?page=x").status_code == 400
    assert client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers?page={10**30}").status_code == 400
    summary = text(client.get(f"/surveys/{survey.id}/results"))
    assert XSS not in summary


def test_answers_of_a_choice_question_without_other_is_404(client, world, survey):
    login(client, "owner@mawar.test")
    qid = next(q.id for q in survey.questions if q.code == "gender")
    assert client.get(f"/surveys/{survey.id}/results/questions/{qid}/answers").status_code == 404


# ---- cross-tab --------------------------------------------------------------


def test_crosstab_matches_scipy(client, world, survey):
    login(client, "owner@mawar.test")
    response = client.get(f"/surveys/{survey.id}/results/crosstab?row=rw&column=gender")
    assert response.status_code == 200
    page = text(response)
    observed = np.array([[12, 1], [0, 2]])  # rows rw1, rw2 (rw3 empty, dropped); columns f, m
    chi2, p, dof, expected = st.chi2_contingency(observed)
    assert f"χ² = {chi2:.2f}".replace(".", ",") in page or f"χ² = {chi2:.2f}" in page
    assert "not reliable" in page  # expected counts are small
    low, high = proportion_confint(12, 12, method="wilson")
    assert "100.0%" in page or "100,0%" in page


def test_crosstab_bad_input(client, world, survey):
    login(client, "owner@mawar.test")
    assert client.get(f"/surveys/{survey.id}/results/crosstab?row=rw&column=nope").status_code == 400
    assert client.get(f"/surveys/{survey.id}/results/crosstab?row=rw&column=rw").status_code == 400


def test_crosstab_for_viewer_hides_small_cells(client, world, survey, ctx):
    from surveyapp.analytics.crosstab import crosstab
    from surveyapp.analytics.filters import Filters

    questions = {q.code: q for q in survey.questions}
    result = crosstab(survey, Filters(), questions["rw"], questions["gender"], "id", privacy_k=5)
    cells = [c for row in result["rows"] for c in row["cells"]]
    for cell in cells:
        assert cell.get("suppressed") or cell["count"] == 0 or cell["count"] >= 5
    lines = [(row["cells"], row["n"]) for row in result["rows"]]
    lines += [([row["cells"][j] for row in result["rows"]], col["n"]) for j, col in enumerate(result["columns"])]
    for cells_, total in lines:  # a single hidden cell never sits beside a shown total
        if sum(bool(c.get("suppressed")) for c in cells_) == 1:
            assert total is None


# ---- weighting --------------------------------------------------------------


def post(client, url, data, **kwargs):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)}, **kwargs)


def test_weighting_form_rake_and_weighted_estimates(client, world, survey):
    login(client, "editor@mawar.test")
    url = f"/surveys/{survey.id}/results/weighting"
    response = post(client, url, {"m-gender-f": "500", "m-gender-m": "500"})
    assert response.status_code == 303
    page = text(client.get(url))
    # Representation index: women 12/15 of respondents, 50% of the population -> 1.6; men 0.4.
    assert "1.60" in page or "1,60" in page
    assert "0.40" in page or "0,40" in page
    # One dimension: raking is post-stratification; weights 0.625 (women) and 2.5 (men).
    w = np.array([0.625] * 12 + [2.5] * 3)
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert f"{n_eff:.1f}".replace(".", ",") in page or f"{n_eff:.1f}" in page
    # Weighted share of "used = yes": k % 3 != 0.
    used = np.array([1 if k % 3 else 0 for k in range(15)])
    weighted = (w * used).sum() / w.sum()
    assert f"{100 * weighted:.1f}%".replace(".", ",") in page or f"{100 * weighted:.1f}%" in page


def test_weighting_csv_upload_and_bad_files(client, world, survey):
    login(client, "owner@mawar.test")
    url = f"/surveys/{survey.id}/results/weighting"
    good = b"dimension,category,population\ngender,f,520\ngender,m,480\nrw,rw1,300\nrw,rw2,300\nrw,rw3,400\n"
    response = post(client, url, {"file": (io.BytesIO(good), "m.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    rows = db.session.execute(db.select(SurveyPopulationMargin).filter_by(survey_id=survey.id)).scalars().all()
    assert len(rows) == 5
    page = text(client.get(url))
    assert "No respondent is in rw3 of rw" in page
    for bad, message in [
        (b"dim,cat,pop\n", "The first line must be the header"),
        (b"dimension,category,population\ngender,f,abc\ngender,m,1\n", "Line 2: enter a whole number"),
        (b"dimension,category,population\nage,f,10\n", "Line 2: age is not a demographic dimension"),
        (b"dimension,category,population\ngender,x,10\n", "Line 2: x is not a category of gender"),
        (b"dimension,category,population\ngender,f,10\n", "missing: m"),
        (b"dimension,category,population\ngender,f,\ngender,m,5\n", "the population is empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ]:
        response = post(client, url, {"file": (io.BytesIO(bad), "m.csv")}, content_type="multipart/form-data")
        assert response.status_code == 400, bad
        assert message in text(response), (bad, text(response)[:2000])
    # nothing half-stored: the good margins are still there
    assert db.session.execute(db.select(db.func.count()).select_from(SurveyPopulationMargin)).scalar_one() == 5


def test_weighting_warns_on_totals_and_refuses_empty_categories(client, world, survey):
    login(client, "owner@mawar.test")
    url = f"/surveys/{survey.id}/results/weighting"
    assert (
        post(
            client,
            url,
            {"m-gender-f": "500", "m-gender-m": "500", "m-rw-rw1": "100", "m-rw-rw2": "100", "m-rw-rw3": "100"},
        ).status_code
        == 303
    )
    page = text(client.get(url))
    assert "do not add up to the same population" in page
    assert post(client, url, {"m-gender-f": "0", "m-gender-m": "500"}).status_code == 303
    page = text(client.get(url))
    assert "categories with no population" in page
    assert "Weighted" not in page
    response = post(client, url, {"m-gender-f": "lots", "m-gender-m": "500"})
    assert response.status_code == 400 and "whole number" in text(response)


def test_weighting_that_does_not_converge_says_so(client, world, ctx):
    s = b.survey(world.org)
    # Only women in rw1 and men in rw2: margins asking for women in rw2 cannot be met with a cap.
    for _ in range(10):
        factories.respond(s, {"gender": "f", "rw": "rw1"})
    factories.respond(s, {"gender": "m", "rw": "rw2"})
    from surveyapp.analytics.weighting import weigh

    result = weigh(s, {"gender": {"f": 100, "m": 900}, "rw": {"rw1": 900, "rw2": 50, "rw3": 50}}, "id")
    assert any("did not converge" in e for e in result["errors"])
    assert result["estimates"] == []


def test_weighting_without_demographic_questions(client, world):
    s = b.survey(world.org, questions=[b.QUESTIONS[3]])
    login(client, "owner@mawar.test")
    page = text(client.get(f"/surveys/{s.id}/results/weighting"))
    assert "no demographic questions" in page


# ---- waves ------------------------------------------------------------------


def test_compare_two_surveys_independent(client, world):
    before, after = b.survey(world.org, title="Sebelum"), b.survey(world.org, title="Sesudah")
    for k in range(40):
        factories.respond(before, {"used": "yes" if k < 18 else "no", "recommend": k % 8}, commit=False)
        factories.respond(after, {"used": "yes" if k < 26 else "no", "recommend": 2 + k % 9}, commit=False)
    db.session.commit()
    login(client, "owner@mawar.test")
    response = client.get(f"/surveys/{after.id}/results/compare?with={before.id}")
    assert response.status_code == 200
    from surveyapp.analytics.filters import Filters
    from surveyapp.analytics.waves import compare

    result = compare((before, Filters()), (after, Filters()), "id")
    assert result["design"] == "independent"
    yes = next(r for r in result["rows"] if r["question"] == "used" and r["what"] == "Ya")
    z, p = proportions_ztest([26, 18], [40, 40])
    assert yes["statistic"] == pytest.approx(z) and yes["p_value"] == pytest.approx(p)
    assert yes["change"] == pytest.approx(26 / 40 - 18 / 40)
    rec = next(r for r in result["rows"] if r["question"] == "recommend")
    a = [k % 8 for k in range(40)]
    bb = [2 + k % 9 for k in range(40)]
    t = st.ttest_ind(bb, a, equal_var=False)
    assert rec["statistic"] == pytest.approx(t.statistic) and rec["p_value"] == pytest.approx(t.pvalue)
    from statsmodels.stats.multitest import multipletests

    tested = [r for r in result["rows"] if r["p_value"] is not None]
    _rej, adjusted, _a, _b = multipletests([r["p_value"] for r in tested], method="fdr_bh")
    assert [r["p_adjusted"] for r in tested] == pytest.approx(list(adjusted))
    assert all(r["p_adjusted"] is None for r in result["rows"] if r["p_value"] is None)


def test_compare_paired_when_the_same_people_answer(client, world, ctx):
    before, after = b.survey(world.org, title="Sebelum"), b.survey(world.org, title="Sesudah")
    scores_a, scores_b = [], []
    for k in range(12):
        person = b.participant(world.org)
        va, vb = k % 6, k % 6 + (k % 4)
        scores_a.append(va)
        scores_b.append(vb)
        factories.respond(
            before, {"recommend": va, "used": "yes" if k < 4 else "no"}, participant=person.id, commit=False
        )
        factories.respond(
            after, {"recommend": vb, "used": "yes" if k < 9 else "no"}, participant=person.id, commit=False
        )
    db.session.commit()
    from surveyapp.analytics.filters import Filters
    from surveyapp.analytics.waves import compare

    result = compare((before, Filters()), (after, Filters()), "id")
    assert result["design"] == "paired" and result["pairs"] == 12
    rec = next(r for r in result["rows"] if r["question"] == "recommend")
    t = st.ttest_rel(scores_b, scores_a)
    assert rec["method"] == "paired t"
    assert rec["statistic"] == pytest.approx(t.statistic) and rec["p_value"] == pytest.approx(t.pvalue)
    yes = next(r for r in result["rows"] if r["question"] == "used" and r["what"] == "Ya")
    assert yes["method"].startswith("McNemar")
    assert yes["p_value"] == pytest.approx(st.binomtest(5, 5).pvalue)  # 5 switched no -> yes, none back
    assert yes["change"] == pytest.approx(9 / 12 - 4 / 12)


def test_compare_bad_dates(client, world, survey):
    login(client, "owner@mawar.test")
    base = f"/surveys/{survey.id}/results/compare"
    assert (
        client.get(
            f"{base}?before_from=2026-03-05&before_to=2026-03-01&after_from=2026-03-06&after_to=2026-03-07"
        ).status_code
        == 400
    )
    assert (
        client.get(
            f"{base}?before_from=2026-03-01&before_to=2026-03-05&after_from=2026-03-03&after_to=2026-03-07"
        ).status_code
        == 400
    )
    assert client.get(f"{base}?before_from=2026-03-01").status_code == 400
    assert client.get(f"{base}?with=abc").status_code == 400
    assert client.get(f"{base}?with={10**30}").status_code == 400
    assert (
        client.get(
            f"{base}?before_from=0001-01-01&before_to=0001-01-02&after_from=2026-03-03&after_to=9999-12-31"
        ).status_code
        == 400
    )
    ok = client.get(f"{base}?before_from=2026-03-01&before_to=2026-03-02&after_from=2026-03-03&after_to=2026-03-07")
    assert ok.status_code == 200


def test_survey_without_responses_page(client, world):
    s = b.survey(world.org)
    login(client, "owner@mawar.test")
    page = text(client.get(f"/surveys/{s.id}/results"))
    assert "Responses counted</dt><dd>0<" in page
    assert page.count("No answers yet.") >= 10
    assert "0.0%" not in page and "0,0%" not in page
