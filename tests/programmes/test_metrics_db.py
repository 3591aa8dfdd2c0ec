"""The metric set on a hand-computed programme (tests/programmes/builders.hand_programme).

July 2026 (the window), all in Asia/Jakarta:
- wave 2 responses r1 (P1, female, overall 5, recommend 10, trust 8, belong 4, used yes, 120 s, link),
  r2 (P2, male, 4, 6, trust 3, belong 2, no, 300 s, paper), r3 (anonymous, female, 2, 9, trust 6, belong 5,
  yes, 200 s, kiosk), r4 (anonymous, male, 3, -, trust 5, belong 3, yes, 60 s, link); one partial (ignored).
- activity A1 on 5 July: head count 10, check-ins P1 and P3; A2 on 20 July: no head count, check-in P1.
- June: wave 1 responses by P1 and two anonymous people.
"""

from __future__ import annotations

import pytest

from surveyapp.analytics import stats
from surveyapp.programmes.metrics import compute_set
from surveyapp.programmes.windows import parse_window
from tests.programmes.builders import hand_programme


@pytest.fixture
def hand(world):
    return hand_programme(world.org)


def metric_set(hand, window="2026-07", trend=4):
    return {m["code"]: m for m in compute_set(hand.programme, parse_window(window), trend=trend)["metrics"]}


def seg(metric, dimension, category):
    return next(r for r in metric["segments"] if r["dimension"] == dimension and r["category"] == category)


def test_participants_and_rate(hand):
    m = metric_set(hand)
    # identified {P1, P2, P3} = 3; anonymous responses r3, r4 = 2; A1 head count 10 - 2 check-ins = 8
    assert m["M1"]["value"] == 13
    assert m["M1"]["details"]["identified"] == 3 and m["M1"]["details"]["anonymous_responses"] == 2
    assert m["M1"]["details"]["anonymous_attendance"] == 8
    assert seg(m["M1"], "gender", "female")["value"] == 2  # P1 + r3
    assert m["M2"]["value"] == pytest.approx(0.13)
    assert seg(m["M2"], "gender", "female")["value"] == pytest.approx(2 / 70)
    assert seg(m["M2"], "gender", "male")["value"] == pytest.approx(2 / 30)


def test_satisfaction_overall_per_activity_and_segment(hand):
    m = metric_set(hand)["M3"]
    assert m["value"] == pytest.approx(0.5) and m["n"] == 4  # 5 and 4 of [5, 4, 2, 3]
    expected = stats.csat({5: 1, 4: 1, 2: 1, 3: 1})
    assert (m["low"], m["high"]) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert m["details"]["mean"] == pytest.approx(3.5)
    assert m["details"]["per_activity"] == [
        pytest.approx(
            {
                "activity": "Forum RW",
                "activity_id": hand.a1.id,
                "value": 0.5,
                "n": 4,
                "low": expected.low,
                "high": expected.high,
                "mean": 3.5,
            }
        )
    ]
    assert seg(m, "gender", "female")["value"] == pytest.approx(0.5) and seg(m, "gender", "female")["n"] == 2


def test_frequency_concentration_and_returning(hand):
    m = metric_set(hand)
    # P1: r1 + A1 + A2 = 3; P2: 1; P3: 1
    assert m["M4"]["value"] == pytest.approx(5 / 3) and m["M4"]["details"]["median"] == 1
    assert m["M4"]["details"]["distribution"] == {1: 2, 3: 1}
    assert m["E3"]["value"] == pytest.approx(3 / 5)  # top 10% of 3 people = 1 person with 3 of 5
    assert m["E3"]["details"]["gini"] == pytest.approx(2 * (1 + 2 + 9) / (3 * 5) - 4 / 3)
    assert m["E4"]["value"] == pytest.approx(2 / 3) and m["E4"]["details"] == {
        "new": 2,
        "returning": 1,
    }  # P1 was there in June


def test_relations_trust_and_response_time(hand):
    m = metric_set(hand)
    assert m["M6"]["value"] == pytest.approx(62.5) and m["M6"]["n"] == 4  # 75, 25, 100, 50
    assert seg(m["M6"], "gender", "male")["value"] == pytest.approx(37.5)
    assert m["M7"]["value"] == pytest.approx(0.5) and m["M7"]["details"]["mean"] == pytest.approx(5.5)
    assert seg(m["M7"], "gender", "female")["value"] == pytest.approx(1.0)  # 8 and 6
    assert m["M11"]["value"] == pytest.approx(160) and m["M11"]["details"]["invitation_median_minutes"] is None


def test_outcomes_feedback_follow_ups_and_stories(hand):
    m = metric_set(hand)
    # clean water: (50 - 40)/(60 - 40) = 0.5 by hand; safety: mean(3, 4) = 3.5 -> (3.5 - 2)/(4 - 2) = 0.75
    assert m["M8"]["value"] == pytest.approx(0.625)
    rows = {r["code"]: r for r in m["M8"]["details"]["indicators"]}
    assert rows["safety"]["source"] == "survey" and rows["safety"]["value"] == pytest.approx(3.5)
    # items: two survey comments (the blank one is not an item) + one form message
    assert m["M9"]["value"] == 3
    # positive: r1 (overall 5, untagged) and the form item (tagged positive); r2 was tagged negative
    assert m["M9"]["details"]["positive"] == 2
    d = m["M10"]["details"]
    assert m["M10"]["value"] == 2 and d["rate"] == pytest.approx(2 / 3)
    assert d["median_days"] == pytest.approx(6)  # 2 days and 10 days
    assert d["published_share"] == pytest.approx(0.5)
    assert m["M12"]["value"] == 1 and m["M12"]["details"]["stories"][0]["title"] == "Fans at the hall"


def test_representation_and_channels(hand):
    m = metric_set(hand)
    female = seg(m["E1"], "gender", "female")
    assert female["index"] == pytest.approx((2 / 4) / 0.7) and female["under"]
    assert m["E1"]["value"] == pytest.approx(0.5 / 0.7)
    assert m["E2"]["value"] == pytest.approx((2 / 70) / (2 / 30))
    # link 2, paper 1, kiosk 1, activity 10 + 1
    assert m["E5"]["n"] == 15 and m["E5"]["value"] == pytest.approx(13 / 15)


def test_impact_of_change_between_waves(hand):
    m = metric_set(hand)["M5"]
    cmp = m["details"]["comparisons"][0]
    assert cmp["design"] == "independent" and (cmp["n_before"], cmp["n_after"]) == (3, 4)
    changes = {c["question"]: c for c in cmp["changes"]}
    assert set(changes) == {"overall", "trust_lg", "used"}
    z = stats.two_proportion_ztest(3, 4, 1, 3)
    assert changes["used"]["estimate"] == pytest.approx(3 / 4 - 1 / 3) and changes["used"]["p_value"] == pytest.approx(
        z.p_value
    )
    welch = stats.welch_t(
        4, 5.5, stats.moments_from_sums(4, 22, 134)[1], 3, 13 / 3, stats.moments_from_sums(3, 13, 69)[1]
    )
    assert changes["trust_lg"]["estimate"] == pytest.approx(5.5 - 13 / 3) and changes["trust_lg"][
        "low"
    ] == pytest.approx(welch.low)
    assert changes["overall"]["test"] == "Mann-Whitney U"
    assert m["value"] == sum(1 for c in changes.values() if c["significant"])


def test_trend_over_previous_windows(hand):
    m = metric_set(hand)
    trend = {t["window"]: t for t in m["M1"]["trend"]}
    assert list(trend) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert trend["2026-06"]["value"] == 3  # P1 + two anonymous in June
    assert trend["2026-05"]["value"] is None  # no data is never 0
    assert {t["window"]: t["value"] for t in m["M3"]["trend"]}["2026-06"] == pytest.approx(1 / 3)


def test_quarter_and_custom_windows(hand):
    q3 = metric_set(hand, "2026-Q3", trend=1)
    assert q3["M1"]["value"] == 13 and q3["M1"]["trend"][0]["window"] == "2026-Q2"
    assert q3["M1"]["trend"][0]["value"] == 3
    custom = metric_set(hand, "2026-06-01..2026-07-31", trend=0)
    assert custom["M1"]["details"]["identified"] == 3 and custom["M1"]["details"]["anonymous_responses"] == 4
    assert custom["E4"]["details"] == {"new": 3, "returning": 0}


def test_window_without_data_says_so_and_never_shows_zero(hand):
    m = metric_set(hand, "2025-01", trend=0)
    for code, metric in m.items():
        assert metric["value"] is None, code
        assert metric["reason"]["message"], code


def test_definitions_in_both_languages_and_links(hand, app):
    with app.test_request_context():
        result = compute_set(hand.programme, parse_window("2026-07"), trend=0)
    codes = [m["code"] for m in result["metrics"]]
    assert codes == [f"M{i}" for i in range(1, 13)] + [f"E{i}" for i in range(1, 6)]
    for m in result["metrics"]:
        assert m["definition"]["en"] and m["definition"]["id"] and m["name"]["en"]
        assert all(s["url"].startswith("/programmes/") for s in m["sources"])
