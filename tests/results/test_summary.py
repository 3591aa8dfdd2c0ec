"""The summary document against independent computations (numpy, scipy,
statsmodels) on a data set built in the test."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

from surveyapp.analytics import queries
from surveyapp.analytics.filters import ALL_STATUSES, Filters
from surveyapp.analytics.summary import build_summary
from surveyapp.collect.models import SurveyInvitation
from surveyapp.extensions import db
from tests import factories
from tests.results import builders as b

NOW = datetime(2026, 3, 20, 12, 0)


def wilson(count, n):
    return proportion_confint(count, n, alpha=0.05, method="wilson")


def t_interval(values):
    values = np.asarray(values, dtype=float)
    half = st.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), values.mean() - half, values.mean() + half


def question(doc, code):
    return next(q for q in doc["questions"] if q["code"] == code)


@pytest.fixture
def dataset(ctx):
    """60 complete responses with random answers (kept in ``raw``), plus 7
    partial ones that the default summary must leave out."""
    rng = random.Random(7)
    org = factories.organisation()
    survey = b.survey(org)
    raw = []
    for k in range(60):
        answer = {
            "gender": rng.choice(["f", "m"]),
            "rw": rng.choice(["rw1", "rw2", "rw3"]),
            "services": sorted(rng.sample(["clinic", "school", "market"], rng.randint(1, 3))),
            "overall": str(rng.choices([1, 2, 3, 4, 5], [1, 2, 3, 5, 4])[0]),
            "aspects": {"speed": str(rng.randint(1, 5)), "staff": str(rng.randint(2, 5))},
            "recommend": rng.randint(0, 10),
            "trust_police": rng.randint(0, 10),
            "stars": rng.randint(1, 5),
            "priorities": dict(zip(rng.sample(["roads", "water", "light"], 3), [1, 2, 3])),
            "age": rng.randint(17, 80),
            "visit": (date(2026, 1, 1) + timedelta(days=rng.randint(0, 60))).isoformat(),
            "comment": rng.choice(["Jalan rusak", "Lampu jalan mati", "Air bersih kurang", "Puas sekali"]),
            "used": rng.choice(["yes", "no"]),
        }
        if k % 10 == 0:  # some skip questions: n differs per question
            for code in ("age", "trust_police", "services", "priorities"):
                answer.pop(code)
        raw.append(answer)
        factories.respond(
            survey,
            answer,
            submitted_at=datetime(2026, 3, 1, 10) + timedelta(hours=7 * k),
            duration=60 + 17 * k,
            channel="link" if k % 3 else "qr",
            language="id" if k % 4 else "en",
            commit=False,
        )
    for k in range(7):
        factories.respond(
            survey,
            {"gender": "f", "overall": "1", "recommend": 0},
            status="partial",
            submitted_at=datetime(2026, 3, 5) + timedelta(hours=k),
            commit=False,
        )
    db.session.commit()
    return survey, raw


def test_overview_counts_rates_and_duration(dataset):
    survey, raw = dataset
    doc = build_summary(survey, now=NOW)
    ov = doc["overview"]
    assert doc["n"] == 60
    assert (ov["starts"], ov["completes"], ov["partials"], ov["breakoffs"]) == (67, 60, 7, 7)
    assert ov["completion_rate"] == pytest.approx(60 / 67)
    assert ov["breakoff_rate"] == pytest.approx(7 / 67)
    durations = [60 + 17 * k for k in range(60)]
    assert ov["duration_seconds"]["median"] == pytest.approx(np.median(durations))
    assert ov["duration_seconds"]["q1"] == pytest.approx(np.percentile(durations, 25))
    assert ov["response_rate"] is None
    assert doc["sample"]["interval"] == "indicative"


def test_breakoffs_exclude_partials_still_in_progress(dataset):
    survey, _raw = dataset
    doc = build_summary(survey, now=datetime(2026, 3, 5, 12))  # partials started 0-6 h before noon
    assert doc["overview"]["breakoffs"] == 0


def test_time_channel_and_language(dataset):
    survey, _raw = dataset
    doc = build_summary(survey, now=NOW)
    # Local days in Asia/Jakarta (UTC+7), computed independently.
    expected = Counter((datetime(2026, 3, 1, 10) + timedelta(hours=7 * k + 7)).date().isoformat() for k in range(60))
    got = {d["period"]: d["count"] for d in doc["over_time"]["day"]}
    assert {d: n for d, n in got.items() if n} == dict(expected)
    assert sum(got.values()) == 60
    assert sum(w["count"] for w in doc["over_time"]["week"]) == 60
    channels = {c["key"]: c["count"] for c in doc["by_channel"]}
    assert channels == {"qr": 20, "link": 40}
    qr = next(c for c in doc["by_channel"] if c["key"] == "qr")
    assert (qr["low"], qr["high"]) == pytest.approx(wilson(20, 60))
    assert {c["key"]: c["count"] for c in doc["by_language"]} == {"en": 15, "id": 45}


def test_choice_and_multi(dataset):
    survey, raw = dataset
    doc = build_summary(survey, now=NOW)
    rw = question(doc, "rw")
    counts = Counter(a["rw"] for a in raw)
    assert rw["n"] == 60
    for option in rw["options"]:
        assert option["count"] == counts[option["code"]]
        assert option["p"] == pytest.approx(counts[option["code"]] / 60)
        assert (option["low"], option["high"]) == pytest.approx(wilson(counts[option["code"]], 60))
    services = question(doc, "services")
    answered = [a["services"] for a in raw if "services" in a]
    assert services["n"] == len(answered) == 54
    for option in services["options"]:
        count = sum(option["code"] in chosen for chosen in answered)
        assert option["count"] == count
        assert (option["low"], option["high"]) == pytest.approx(wilson(count, 54))


def test_likert_mean_top2_and_csat(dataset):
    survey, raw = dataset
    overall = question(build_summary(survey, now=NOW), "overall")
    values = [int(a["overall"]) for a in raw]
    mean, low, high = t_interval(values)
    assert overall["mean"]["mean"] == pytest.approx(mean)
    assert (overall["mean"]["low"], overall["mean"]["high"]) == pytest.approx((low, high))
    assert overall["mean"]["sd"] == pytest.approx(np.std(values, ddof=1))
    top = sum(v >= 4 for v in values)
    assert overall["top2"]["count"] == top and overall["top2"]["levels"] == ["4", "5"]
    assert (overall["top2"]["low"], overall["top2"]["high"]) == pytest.approx(wilson(top, 60))
    assert overall["csat"]["p"] == pytest.approx(top / 60)
    assert [d["count"] for d in overall["distribution"]] == [values.count(v) for v in range(1, 6)]


def test_matrix_per_item(dataset):
    survey, raw = dataset
    aspects = question(build_summary(survey, now=NOW), "aspects")
    assert aspects["n"] == 60
    for item in aspects["items"]:
        values = [int(a["aspects"][item["code"]]) for a in raw]
        mean, low, high = t_interval(values)
        assert item["n"] == 60
        assert (item["mean"]["mean"], item["mean"]["low"], item["mean"]["high"]) == pytest.approx((mean, low, high))
        top = sum(v >= 4 for v in values)
        assert item["top2"]["count"] == top
        assert (item["top2"]["low"], item["top2"]["high"]) == pytest.approx(wilson(top, 60))


def test_rating_recommend_and_trust(dataset):
    survey, raw = dataset
    doc = build_summary(survey, now=NOW)
    rec = question(doc, "recommend")
    values = np.array([a["recommend"] for a in raw])
    pp, pd = (values >= 9).mean(), (values <= 6).mean()
    assert rec["recommend"]["score"] == pytest.approx(100 * (pp - pd))
    assert rec["recommend"]["se"] == pytest.approx(100 * np.sqrt((pp + pd - (pp - pd) ** 2) / 60))
    assert rec["mean"]["mean"] == pytest.approx(values.mean())
    assert [d["count"] for d in rec["distribution"]] == [int((values == v).sum()) for v in range(11)]
    assert rec["trust"] is None
    trust = question(doc, "trust_police")
    tv = np.array([a["trust_police"] for a in raw if "trust_police" in a])
    assert trust["n"] == len(tv) == 54
    assert trust["trust"]["high"]["count"] == int((tv >= 6).sum())
    assert (trust["trust"]["low"]["low"], trust["trust"]["low"]["high"]) == pytest.approx(
        wilson(int((tv <= 4).sum()), 54)
    )
    assert trust["recommend"] is None
    stars = question(doc, "stars")
    assert stars["scale"] == [1, 5] and len(stars["distribution"]) == 5


def test_ranking(dataset):
    survey, raw = dataset
    ranking = question(build_summary(survey, now=NOW), "priorities")
    answered = [a["priorities"] for a in raw if "priorities" in a]
    assert ranking["n"] == 54
    for option in ranking["options"]:
        ranks = [r[option["code"]] for r in answered]
        assert option["mean_rank"] == pytest.approx(np.mean(ranks))
        firsts = ranks.count(1)
        assert option["first"]["count"] == firsts
        assert (option["first"]["low"], option["first"]["high"]) == pytest.approx(wilson(firsts, 54))


def test_number_and_date(dataset):
    survey, raw = dataset
    doc = build_summary(survey, now=NOW)
    age = question(doc, "age")
    ages = np.array([a["age"] for a in raw if "age" in a])
    assert age["n"] == 54
    assert age["quartiles"]["median"] == pytest.approx(np.median(ages))
    assert age["quartiles"]["q1"] == pytest.approx(np.percentile(ages, 25))
    assert age["quartiles"]["q3"] == pytest.approx(np.percentile(ages, 75))
    assert (age["quartiles"]["min"], age["quartiles"]["max"]) == (ages.min(), ages.max())
    mean, low, high = t_interval(ages)
    assert (age["mean"]["mean"], age["mean"]["low"], age["mean"]["high"]) == pytest.approx((mean, low, high))
    assert sum(bin_["count"] for bin_ in age["histogram"]) == 54
    visit = question(doc, "visit")
    days = sorted(date.fromisoformat(a["visit"]) for a in raw)
    assert visit["quartiles"]["min"] == days[0].isoformat()
    assert visit["quartiles"]["max"] == days[-1].isoformat()
    epoch = np.array([(d - date(1970, 1, 1)).days for d in days])
    assert visit["quartiles"]["median"] == (date(1970, 1, 1) + timedelta(days=round(np.median(epoch)))).isoformat()


def test_number_with_many_distinct_values_is_binned(ctx, monkeypatch):
    org = factories.organisation()
    survey = b.survey(org)
    values = [1.5 * k + 0.25 for k in range(40)]
    for v in values:
        factories.respond(survey, {"age": v}, commit=False, check=False)
    db.session.commit()
    monkeypatch.setattr(queries, "MAX_DISTINCT_VALUES", 10)
    age = question(build_summary(survey, now=NOW), "age")
    assert age["approximate"] is True
    assert age["n"] == 40
    assert age["mean"]["mean"] == pytest.approx(np.mean(values))
    assert (age["quartiles"]["min"], age["quartiles"]["max"]) == (min(values), max(values))
    width = (max(values) - min(values)) / queries.BINS
    assert age["quartiles"]["median"] == pytest.approx(np.median(values), abs=2 * width)


def test_text_answers_words_and_other(dataset):
    survey, raw = dataset
    doc = build_summary(survey, now=NOW)
    comment = question(doc, "comment")
    assert comment["n"] == 60 and comment["answers"]["total"] == 60
    assert len(comment["answers"]["items"]) == 20
    assert comment["answers"]["items"][0]["text"] == raw[-1]["comment"]  # newest first
    words = Counter(w for a in raw for w in a["comment"].lower().split())
    got = {w["word"]: w["count"] for w in comment["words"]["items"]}
    assert got["jalan"] == words["jalan"]
    assert comment["words"]["sample_size"] == 60


def test_text_search_escapes_wildcards(ctx):
    org = factories.organisation()
    survey = b.survey(org)
    for text in ("diskon 100% untuk warga", "diskon 1000 rupiah", "a_b", "axb", "C:\\path"):
        factories.respond(survey, {"comment": text}, commit=False)
    db.session.commit()
    scope = queries.Scope(survey.id, Filters())
    assert queries.text_answers(scope, question(build_summary(survey), "comment")["id"], "100%")[1] == 1
    qid = question(build_summary(survey), "comment")["id"]
    assert [r["text"] for r in queries.text_answers(scope, qid, "a_b")[0]] == ["a_b"]
    assert queries.text_answers(scope, qid, "DISKON")[1] == 2
    assert queries.text_answers(scope, qid, "c:\\")[1] == 1
    page, total = queries.text_answers(scope, qid, "", limit=2, offset=4)
    assert total == 5 and [r["text"] for r in page] == ["diskon 100% untuk warga"]


def test_other_texts_listed(ctx):
    org = factories.organisation()
    survey = b.survey(org)
    factories.respond(survey, {"services": {"choices": ["clinic", "other"], "other": "posyandu"}})
    factories.respond(survey, {"services": ["school"]})
    services = question(build_summary(survey), "services")
    assert services["other_texts"]["n"] == 1
    assert services["other_texts"]["items"] == [{"text": "posyandu"}]


def test_including_partials(dataset):
    survey, raw = dataset
    doc = build_summary(survey, Filters(statuses=ALL_STATUSES), now=NOW)
    assert doc["n"] == 67 and doc["population"] == "all"
    overall = question(doc, "overall")
    assert overall["distribution"][0]["count"] == sum(a["overall"] == "1" for a in raw) + 7


def test_invited_sample_has_response_rates(ctx):
    org = factories.organisation()
    survey = b.survey(org)
    for k in range(10):
        invitation = SurveyInvitation(
            survey_id=survey.id,
            token_hash=f"h{k}",
            started_at=datetime(2026, 3, 1) if k < 6 else None,
            completed_at=datetime(2026, 3, 1) if k < 4 else None,
        )
        db.session.add(invitation)
    db.session.commit()
    for _ in range(4):
        factories.respond(survey, {"gender": "f"}, channel="invitation")
    doc = build_summary(survey, now=NOW)
    rate = doc["overview"]["response_rate"]
    assert (rate["invited"], rate["completed"], rate["partial"]) == (10, 4, 2)
    assert rate["rr1"] == pytest.approx(0.4) and rate["rr2"] == pytest.approx(0.6)
    assert doc["sample"]["interval"] == "margin_of_error"


def test_survey_without_responses_says_no_data(ctx):
    survey = b.survey(factories.organisation())
    doc = build_summary(survey, now=NOW)
    assert doc["n"] == 0
    ov = doc["overview"]
    assert ov["completion_rate"] is None and ov["duration_seconds"] is None
    for q in doc["questions"]:
        assert q["n"] == 0
        for option in q.get("options", []) + q.get("distribution", []):
            cell = option.get("first", option)
            assert cell["p"] is None and cell["low"] is None
        assert q.get("mean") is None
    json.dumps(doc)  # serialisable


def test_query_count_does_not_grow_with_responses(dataset):
    """A handful of queries per survey, whatever the number of responses
    (the live path; test_tally.py counts the tally path)."""
    from sqlalchemy import event

    survey, _raw = dataset
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.expire_all()  # both runs start from a cold session
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        build_summary(survey, now=NOW, live=True)
        first = len(statements)
        for _ in range(40):
            factories.respond(survey, {"gender": "m", "comment": "x y"}, commit=False)
        db.session.commit()
        db.session.expire_all()
        statements.clear()
        build_summary(survey, now=NOW, live=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == first
    assert first < 30


def test_cli_prints_json(dataset, runner):
    survey, _raw = dataset
    result = runner.invoke(args=["surveys", "summary", str(survey.id)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["n"] == 60 and doc["format"] == "suara-summary"
    result = runner.invoke(args=["surveys", "summary", str(survey.id), "--all"])
    assert json.loads(result.output)["n"] == 67
    result = runner.invoke(args=["surveys", "summary", "999999"])
    assert result.exit_code != 0 and "No survey" in result.output
