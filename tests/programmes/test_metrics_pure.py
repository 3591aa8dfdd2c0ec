"""The arithmetic of the metric set on hand-computed cases and the vectors of docs/metrics.md §6."""

import math

import pytest

from surveyapp.programmes import metrics_pure as pure


def test_ratio_and_median_never_invent_zero():
    assert pure.ratio(5, 0) is None and pure.ratio(None, 10) is None
    assert pure.ratio(30, 120) == 0.25
    assert pure.median([]) is None
    assert pure.median([3, 1, 2]) == 2 and pure.median([4, 1, 3, 2]) == 2.5


def test_frequency_summary_hand_computed():
    # 3 people once, 1 person twice, 1 person 5 times: 3+2+5 = 10 participations / 5 people
    s = pure.frequency_summary({1: 3, 2: 1, 5: 1})
    assert s["people"] == 5 and s["mean"] == 2.0 and s["median"] == 1 and s["max"] == 5
    assert s["distribution"] == {1: 3, 2: 1, 5: 1}
    assert pure.frequency_summary({}) is None


def test_concentration_matches_stats_vectors():
    # docs/statistics.md §8 Gini vectors: [0,0,0,1] -> 0.75 ; [1]*8 + [2, 12] -> 0.481818
    assert pure.concentration({0: 3, 1: 1})["gini"] == pytest.approx(0.75)
    c = pure.concentration({1: 8, 2: 1, 12: 1})
    assert c["gini"] == pytest.approx(0.481818, abs=1e-6)
    # top 10% of 10 people = the one with 12 of 22 participations
    assert c["top10_share"] == pytest.approx(12 / 22)
    assert pure.concentration({}) is None


def test_csat_summary_is_top_two_box_with_wilson():
    # 18 of 20 in the top two boxes: the Wilson vector of docs/statistics.md §8
    s = pure.csat_summary({5: 10, 4: 8, 3: 1, 1: 1})
    assert s["csat"] == pytest.approx(0.9) and s["n"] == 20
    assert (s["low"], s["high"]) == (pytest.approx(0.698966, abs=1e-6), pytest.approx(0.972134, abs=1e-6))
    assert s["mean"] == pytest.approx((50 + 32 + 3 + 1) / 20)
    assert pure.csat_summary({}) is None


def test_trust_summary_bands():
    s = pure.trust_summary({0: 1, 4: 1, 5: 2, 6: 3, 10: 3})
    assert s["n"] == 10 and s["high"] == pytest.approx(0.6) and s["low_band"] == pytest.approx(0.2)
    assert s["neutral_band"] == pytest.approx(0.2) and s["mean"] == pytest.approx((0 + 4 + 10 + 18 + 30) / 10)


def test_relations_index_from_sums():
    # per-respondent scores 25, 50, 75, 100
    xs = [25, 50, 75, 100]
    s = pure.relations_index(4, sum(xs), sum(x * x for x in xs))
    assert s["index"] == pytest.approx(62.5) and s["n"] == 4
    sd = math.sqrt(sum((x - 62.5) ** 2 for x in xs) / 3)
    assert s["high"] - s["index"] == pytest.approx(3.182446 * sd / 2, rel=1e-5)
    assert pure.relations_index(0, 0, 0) is None
    assert pure.rescale(4, 1, 5) == 75.0
    with pytest.raises(ValueError):
        pure.rescale(1, 3, 3)


def test_representation_and_representativeness():
    # population 50/50; sample 20 women, 80 men
    rows = {r["category"]: r for r in pure.representation({"f": 20, "m": 80, "prefer_not": 7}, {"f": 500, "m": 500})}
    assert rows["f"]["index"] == pytest.approx(0.4) and rows["f"]["under"]
    assert rows["m"]["index"] == pytest.approx(1.6) and not rows["m"]["under"]
    assert pure.representativeness({"f": 20, "m": 80}, {"f": 500, "m": 500}) == pytest.approx(0.25)
    assert pure.representation({}, {"f": 5}) is None


def test_channel_mix():
    mix = pure.channel_mix({"link": 6, "paper": 3, "activity": 1})
    assert mix["total"] == 10 and mix["offline_share"] == pytest.approx(0.4)
    assert list(mix["channels"]) == ["link", "paper", "activity"]
    assert pure.channel_mix({}) is None


def test_follow_ups():
    s = pure.follow_ups(items=4, items_with_action=3, days_to_first_action=[1, 10, 3], actions=2, published=1)
    assert s["rate"] == 0.75 and s["median_days"] == 3 and s["published_share"] == 0.5
    empty = pure.follow_ups(0, 0, [], 0, 0)
    assert empty["rate"] is None and empty["median_days"] is None and empty["published_share"] is None
    with pytest.raises(ValueError):
        pure.follow_ups(2, 3, [], 0, 0)


def test_indicator_progress():
    assert pure.indicator_progress(40, 60, 50) == 0.5
    assert pure.indicator_progress(40, 60, 35) == -0.25
    assert pure.indicator_progress(40, 40, 50) is None and pure.indicator_progress(None, 60, 50) is None


def test_margin_warnings():
    margins = {"gender": {"female": 510, "male": 490}, "age_band": {"18_29": 300, "30_44": 300}}
    warnings = pure.margin_warnings(1000, margins)
    assert warnings == [{"dimension": "age_band", "total": 600, "community_size": 1000}]
    assert pure.margin_warnings(None, margins) == []


def test_two_proportion_vector_in_wave_change():
    # docs/statistics.md §8: 45/100 vs 60/100 -> z = -2.123977, p = 0.033672 (after - before = +0.15)
    ch = pure.wave_change("binary", {1: 45, 0: 55}, {1: 60, 0: 40})
    assert ch["design"] == "independent" and ch["estimate"] == pytest.approx(0.15)
    assert ch["p_value"] == pytest.approx(0.033672, abs=1e-6)
    assert ch["low"] < 0.15 < ch["high"]


def test_mann_whitney_vector_in_wave_change():
    # docs/statistics.md §8: [19,22,16,29,24] vs [20,11,17,12] -> U = 17, exact p = 0.111111
    after = {v: 1 for v in [19, 22, 16, 29, 24]}
    before = {v: 1 for v in [20, 11, 17, 12]}
    ch = pure.wave_change("ordinal", before, after)
    assert ch["test"] == "Mann-Whitney U" and ch["p_value"] == pytest.approx(0.111111, abs=1e-6)
    assert ch["estimate"] == pytest.approx(22 - 15)


def test_paired_designs():
    assert pure.paired_design(20, 20, 12) and not pure.paired_design(20, 20, 4) and not pure.paired_design(100, 100, 30)
    # 2x2: yes->yes 5, yes->no 1, no->yes 6, no->no 8: after - before = (6 - 1)/20
    ch = pure.wave_change("binary", {1: 6, 0: 14}, {1: 11, 0: 9}, [[5, 1], [6, 8]])
    assert ch["design"] == "paired" and ch["test"] == "McNemar exact" and ch["estimate"] == pytest.approx(0.25)
    assert ch["p_value"] == pytest.approx(0.125, abs=1e-6)  # binomial(1 of 7), two-sided
    # numeric paired: differences +1 x4, +2 x2, 0 x1 -> mean 6/7
    ch = pure.wave_change("numeric", {5: 7}, {6: 7}, {1: 4, 2: 2, 0: 1})
    assert ch["test"] == "paired t" and ch["estimate"] == pytest.approx(8 / 7) and ch["n_pairs"] == 7


def test_adjust_changes_skips_untested():
    changes = pure.adjust_changes([{"p_value": 0.01}, {"p_value": None}, {"p_value": 0.04}])
    assert changes[0]["p_adjusted"] == pytest.approx(0.02) and changes[1]["p_adjusted"] is None
    assert changes[2]["p_adjusted"] == pytest.approx(0.04) and changes[0]["significant"]


@pytest.mark.parametrize(
    "raw,safe",
    [
        ("=1+1", "'=1+1"),
        ("+62", "'+62"),
        ("-3", "'-3"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ok", "ok"),
        (None, ""),
        (0.5, "0.5"),
    ],
)
def test_safe_cell(raw, safe):
    assert pure.safe_cell(raw) == safe


def test_suppress_small_keeps_labels_drops_figures():
    rows = pure.suppress_small(
        [
            {"dimension": "gender", "category": "f", "value": 0.4, "n": 3},
            {"dimension": "gender", "category": "m", "value": 1.6, "n": 12},
        ],
        5,
    )
    assert rows[0] == {"dimension": "gender", "category": "f", "value": None, "n": None, "suppressed": True}
    assert rows[1]["value"] == 1.6
