"""Unit tests of surveyapp.analytics.stats: the test vectors of docs/statistics.md §8 and cross-checks against scipy/statsmodels."""

import math

import numpy as np
import pytest
from scipy import stats as st

from surveyapp.analytics import stats as s

A6 = dict(abs=1e-6)


def table_of(values):
    vals, counts = np.unique(values, return_counts=True)
    return {int(v): int(c) for v, c in zip(vals, counts)}


# ---------------------------------------------------------------- proportions and means


def test_wilson_vectors():
    r = s.wilson_interval(18, 20)
    assert (r.p, r.low, r.high, r.n) == (0.9, pytest.approx(0.698966, **A6), pytest.approx(0.972134, **A6), 20)
    r = s.wilson_interval(0, 30)
    assert (r.low, r.high) == (pytest.approx(0.0, **A6), pytest.approx(0.113513, **A6))


def test_wilson_no_data_and_invalid():
    assert s.wilson_interval(0, 0) is None
    for args in [(5, 4), (-1, 4), (1, 4, 1.5)]:
        with pytest.raises(ValueError):
            s.wilson_interval(*args)
    with pytest.raises(ValueError):
        s.wilson_interval(3, 10, population=9)


def test_wilson_finite_population_correction():
    z, n, count, big_n = st.norm.ppf(0.975), 40, 12, 100
    # Score interval with SE×f solved directly: Wilson's closed form at n' = n/f².
    n_eff = n / ((big_n - n) / (big_n - 1))
    p = count / n
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff**2))
    r = s.wilson_interval(count, n, population=big_n)
    assert (r.low, r.high) == (pytest.approx(centre - half), pytest.approx(centre + half))
    plain = s.wilson_interval(count, n)
    assert plain.low < r.low < p < r.high < plain.high
    census = s.wilson_interval(count, n, population=n)
    assert census.low == census.high == p
    huge = s.wilson_interval(count, n, population=10**9)
    assert (huge.low, huge.high) == (pytest.approx(plain.low), pytest.approx(plain.high))


def test_mean_ci_from_sums_matches_scipy():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=37).astype(float)
    r = s.mean_ci_from_sums(len(x), x.sum(), (x**2).sum())
    low, high = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x))
    assert (r.mean, r.sd, r.low, r.high) == (
        pytest.approx(x.mean()),
        pytest.approx(x.std(ddof=1)),
        pytest.approx(low),
        pytest.approx(high),
    )
    assert s.moments_from_sums(3, 12.0, 48.0) == (4.0, 0.0)  # constant values: sd exactly 0


def test_mean_ci_edge_cases():
    assert s.mean_ci_from_sums(0, 0, 0) is None
    one = s.mean_ci_from_sums(1, 4.0, 16.0)
    assert (one.mean, one.sd, one.low, one.high) == (4.0, None, None, None)


# ---------------------------------------------------------------- scores


def test_top_box_and_csat():
    counts = {1: 2, 2: 3, 3: 5, 4: 6, 5: 4}
    r = s.csat(counts)
    assert r == s.wilson_interval(10, 20) and r.p == 0.5
    assert s.top_box_share(counts, [5]).p == 0.2
    assert s.csat({}) is None
    with pytest.raises(ValueError):
        s.csat({6: 1})


def test_recommend_score_vector():
    values = [10, 9, 9, 8, 7, 6, 5, 10, 3, 9]
    r = s.recommend_score(values)
    assert r.score == pytest.approx(20.0, **A6)
    assert (r.promoters, r.passives, r.detractors, r.n) == (5, 2, 3, 10)
    assert r.se == pytest.approx(100 * math.sqrt((0.5 + 0.3 - 0.2**2) / 10), **A6)
    assert r.low == pytest.approx(20 - st.norm.ppf(0.975) * r.se)
    assert s.recommend_score(table_of(values)) == r
    assert s.recommend_score([]) is None
    assert s.recommend_score([10] * 5).high == 100.0  # clipped to the scale
    with pytest.raises(ValueError):
        s.recommend_score([11])


def test_trust_bands():
    values = [0, 2, 4, 5, 5, 6, 7, 8, 10, 10]
    r = s.trust_bands(values)
    assert (r.low.p, r.neutral.p, r.high.p, r.n) == (0.3, 0.2, 0.5, 10)
    assert r.high == s.wilson_interval(5, 10)
    assert r.mean.mean == pytest.approx(np.mean(values)) and r.mean.sd == pytest.approx(np.std(values, ddof=1))
    assert s.trust_bands({}) is None


# ---------------------------------------------------------------- rates and weights


def test_aapor_rates():
    r = s.response_rates(300, o=5, uh=150, e=0.9)
    assert r["RR3"] == pytest.approx(300 / 440, **A6) == pytest.approx(0.681818, **A6)
    assert r["RR1"] == pytest.approx(300 / 455) and r["RR5"] == pytest.approx(300 / 305)
    r = s.response_rates(40, p=10, r=30, nc=20, uh=10)
    assert r["RR2"] == pytest.approx(50 / 110) and r["RR3"] is None and r["RR6"] == pytest.approx(0.5)
    assert set(s.response_rates(0).values()) == {None}
    with pytest.raises(ValueError):
        s.response_rates(1, e=1.2)


def test_completion_and_breakoff():
    assert s.completion_rate(30, 40) == 0.75 and s.breakoff_rate(6, 40) == 0.15
    assert s.completion_rate(0, 0) is None and s.breakoff_rate(0, 0) is None
    with pytest.raises(ValueError):
        s.completion_rate(5, 4)


def test_kish_vector():
    w = [1, 1, 1, 1, 2, 2, 4]
    r = s.kish(w)
    assert (r.n_eff, r.deff) == (pytest.approx(5.142857, **A6), pytest.approx(1.361111, **A6))
    assert s.kish_from_sums(7, 12, 28) == r
    assert s.kish([]) is None and s.kish([0, 0]) is None


# ---------------------------------------------------------------- comparisons


def test_two_proportion_vector():
    r = s.two_proportion_ztest(45, 100, 60, 100)
    assert (r.statistic, r.p_value) == (pytest.approx(-2.123977, **A6), pytest.approx(0.033672, **A6))
    assert r.estimate == pytest.approx(-0.15) and r.low < -0.15 < r.high < 0
    assert s.two_proportion_ztest(0, 10, 0, 12).p_value == 1.0
    assert s.two_proportion_ztest(0, 0, 1, 5) is None


def test_newcombe_published_and_hand_formula():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 − 48/80, method 10.
    d, low, high = s.newcombe_diff_ci(56, 70, 48, 80)
    assert (d, round(low, 4), round(high, 4)) == (pytest.approx(0.2), 0.0524, 0.3339)
    w1, w2 = s.wilson_interval(56, 70), s.wilson_interval(48, 80)
    assert low == pytest.approx(d - math.hypot(w1.p - w1.low, w2.high - w2.p))
    assert high == pytest.approx(d + math.hypot(w1.high - w1.p, w2.p - w2.low))


def test_mann_whitney_vector():
    r = s.mann_whitney([19, 22, 16, 29, 24], [20, 11, 17, 12])
    assert (r.statistic, r.p_value) == (pytest.approx(17.0, **A6), pytest.approx(0.111111, **A6))
    assert r.estimate == pytest.approx(17 / 20)
    assert s.mann_whitney([], [1]) is None
    assert s.mann_whitney({3: 4}, {3: 2}).p_value == 1.0


def test_mann_whitney_tables_match_raw():
    rng = np.random.default_rng(11)
    a, b = rng.integers(1, 6, size=60), rng.integers(2, 6, size=45)
    from_tables, raw = s.mann_whitney(table_of(a), table_of(b)), st.mannwhitneyu(a, b)
    assert (from_tables.statistic, from_tables.p_value) == (pytest.approx(raw.statistic), pytest.approx(raw.pvalue))
    assert s.mann_whitney(list(a), list(b)) == from_tables


def test_welch_from_summary_matches_raw():
    rng = np.random.default_rng(3)
    a, b = rng.normal(3.2, 1.0, 25), rng.normal(3.8, 1.7, 40)
    r = s.welch_t(len(a), a.mean(), a.std(ddof=1), len(b), b.mean(), b.std(ddof=1))
    raw = st.ttest_ind(a, b, equal_var=False)
    ci = raw.confidence_interval(0.95)
    assert (r.statistic, r.p_value, r.df) == (
        pytest.approx(raw.statistic),
        pytest.approx(raw.pvalue),
        pytest.approx(raw.df),
    )
    assert (r.estimate, r.low, r.high) == (
        pytest.approx(a.mean() - b.mean()),
        pytest.approx(ci.low),
        pytest.approx(ci.high),
    )
    assert s.welch_t(1, 3, 0, 10, 3, 1) is None and s.welch_t(5, 3, 0, 5, 4, 0) is None


def test_mcnemar():
    small = s.mcnemar(10, 3)
    assert small.method == "McNemar exact" and small.p_value == pytest.approx(st.binomtest(3, 13).pvalue)
    big = s.mcnemar([[50, 30], [15, 5]])
    assert big.statistic == pytest.approx((30 - 15 - 1) ** 2 / 45)
    assert big.p_value == pytest.approx(st.chi2.sf((30 - 15 - 1) ** 2 / 45, 1))
    assert big.estimate == pytest.approx((80 - 65) / 100) and big.n1 == 100
    assert s.mcnemar(0, 0) is None


def test_wilcoxon_tables_match_scipy():
    rng = np.random.default_rng(5)
    d = rng.integers(-2, 4, size=50)
    r, raw = s.wilcoxon_signed_rank(table_of(d)), st.wilcoxon(d)
    assert (r.statistic, r.p_value, r.n1) == (pytest.approx(raw.statistic), pytest.approx(raw.pvalue), 50)
    assert s.wilcoxon_signed_rank([0, 0, 0]).p_value == 1.0
    assert s.wilcoxon_signed_rank([]) is None


def test_paired_t_matches_scipy():
    rng = np.random.default_rng(9)
    before = rng.normal(5, 2, 30)
    after = before + rng.normal(0.5, 1, 30)
    r, raw = s.paired_t(after - before), st.ttest_rel(after, before)
    ci = raw.confidence_interval(0.95)
    assert (r.statistic, r.p_value) == (pytest.approx(raw.statistic), pytest.approx(raw.pvalue))
    assert (r.low, r.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert s.paired_t(table_of([1, 1, 2, 0, -1])) == s.paired_t([1, 1, 2, 0, -1])
    assert s.paired_t([2, 2, 2]) is None and s.paired_t([1]) is None


def test_benjamini_hochberg():
    r = s.benjamini_hochberg([0.01, None, 0.04, 0.03, 0.005])
    assert r.adjusted == (pytest.approx(0.02), None, pytest.approx(0.04), pytest.approx(0.04), pytest.approx(0.02))
    assert r.reject == (True, None, True, True, True)
    assert s.benjamini_hochberg([None]).adjusted == (None,)


def test_chi_square():
    table = [[12, 2, 9], [7, 3, 3]]
    r, raw = s.chi_square(table), st.chi2_contingency(table)
    assert (r.statistic, r.p_value, r.dof, r.n) == (pytest.approx(raw.statistic), pytest.approx(raw.pvalue), 2, 36)
    assert r.small_expected  # the middle column has 5 answers: 2 of 6 cells expected below 5
    assert not s.chi_square([[30, 20], [25, 25]]).small_expected
    assert s.chi_square([[12, 0, 9], [7, 0, 3]]).dof == 1  # empty column dropped
    assert s.chi_square([[1, 2], [0, 0]]) is None and s.chi_square([[0, 0], [0, 0]]) is None


# ---------------------------------------------------------------- who is heard


def test_representation_index():
    pop = {"a": 500, "b": 300, "c": 200}
    r = s.representation_index({"a": 30, "b": 10, "unknown": 7}, pop)
    assert [round(r[g].index, 6) for g in "abc"] == [1.5, 0.833333, 0.0]
    assert [r[g].under for g in "abc"] == [False, False, True]
    assert s.representation_index({}, pop) is None
    assert s.representativeness_score({"a": 30, "b": 12, "c": 8}, pop) == pytest.approx(0.04 / 0.06)
    assert s.representativeness_score({}, pop) is None
    with pytest.raises(ValueError):
        s.representation_index({"a": 1}, {"a": 0})


def test_gini_vectors():
    assert s.gini([0, 0, 0, 1]) == pytest.approx(0.75, **A6)
    x = [1, 1, 1, 1, 1, 1, 1, 1, 2, 12]
    assert s.gini(x) == pytest.approx(0.481818, **A6)
    assert s.gini({1: 8, 2: 1, 12: 1}) == pytest.approx(s.gini(x))
    assert s.gini([]) is None and s.gini([0, 0]) is None and s.gini([3, 3, 3]) == pytest.approx(0.0)


def test_top_share():
    x = list(range(1, 31))  # ceil(0.1·30) = 3 participants, not 4 from float rounding
    assert s.top_share(x) == pytest.approx((28 + 29 + 30) / sum(x))
    assert s.top_share([1, 1, 1, 1, 1, 1, 1, 1, 2, 12]) == pytest.approx(12 / 22)
    assert s.top_share({1: 8, 2: 1, 12: 1}, 0.2) == pytest.approx(14 / 22)
    assert s.top_share([]) is None and s.top_share([0, 0]) is None


def test_quantiles_from_counts_match_numpy():
    rng = np.random.default_rng(21)
    for size in (1, 2, 7, 100, 513):
        x = rng.integers(0, 40, size=size) * 15
        q = s.quantiles_from_counts(table_of(x))
        assert (q.q1, q.median, q.q3) == tuple(pytest.approx(v) for v in np.quantile(x, [0.25, 0.5, 0.75]))
        assert (q.n, q.mean, q.min, q.max) == (size, pytest.approx(x.mean()), x.min(), x.max())
    assert s.quantiles_from_counts({}) is None


# ---------------------------------------------------------------- raking

CELLS = [{"g": "f", "a": "young"}, {"g": "f", "a": "old"}, {"g": "m", "a": "young"}, {"g": "m", "a": "old"}]
COUNTS = [20, 30, 40, 10]
MARGINS = {"g": {"f": 500, "m": 500}, "a": {"young": 400, "old": 600}}


def weighted_margin(result, dim):
    out = {}
    for key, c, w in zip(CELLS, COUNTS, result.weights):
        out[key[dim]] = out.get(key[dim], 0) + c * w
    return out


def test_rake_hand_checked():
    # IPF keeps the sample odds ratio 20·10/(30·40) = 1/6; with margins f = 50, young = 40
    # the fitted cells solve a(10 + a) = (50 − a)(40 − a)/6, so a = 10: cells 10, 40, 30, 20.
    r = s.rake(COUNTS, CELLS, MARGINS)
    assert r.converged and r.max_gap < 1e-6 and r.empty_categories == {}
    assert r.weights == tuple(pytest.approx(w, abs=1e-5) for w in (0.5, 4 / 3, 0.75, 2.0))
    assert weighted_margin(r, "g") == {"f": pytest.approx(50, abs=1e-4), "m": pytest.approx(50, abs=1e-4)}
    assert weighted_margin(r, "a") == {"young": pytest.approx(40, abs=1e-4), "old": pytest.approx(60, abs=1e-4)}
    assert sum(c * w for c, w in zip(COUNTS, r.weights)) == pytest.approx(100)
    assert r.kish.n_eff == pytest.approx(100**2 / sum(c * w * w for c, w in zip(COUNTS, r.weights)))


def test_rake_cap_trims_and_reports_non_convergence():
    # Margins leave one free cell a; weights ≤ 1.5 force a = 5, the only feasible fit.
    capped = s.rake(COUNTS, CELLS, MARGINS, cap=1.5, max_iter=500)
    assert capped.converged
    assert capped.weights == tuple(pytest.approx(w, abs=1e-5) for w in (0.25, 1.5, 0.875, 1.5))
    assert max(capped.weights) <= 1.5
    stuck = s.rake(COUNTS, CELLS, MARGINS, cap=1.4, max_iter=50)
    assert not stuck.converged and stuck.iterations == 50 and stuck.max_gap > 1e-6
    assert max(stuck.weights) <= 1.4 + 1e-12
    assert sum(c * w for c, w in zip(COUNTS, stuck.weights)) == pytest.approx(100)
    # No f-old or m-young respondents: the age split cannot follow the gender split.
    diag = s.rake([10, 10], [CELLS[0], CELLS[3]], {"g": {"f": 1, "m": 1}, "a": {"young": 3, "old": 7}})
    assert not diag.converged and diag.max_gap == pytest.approx(0.2)


def test_rake_empty_sample_category_reported():
    margins = {"g": {"f": 500, "m": 500}, "a": {"young": 400, "old": 300, "65+": 300}}
    r = s.rake(COUNTS, CELLS, margins)
    assert r.empty_categories == {"a": ("65+",)} and r.converged
    assert weighted_margin(r, "a")["young"] == pytest.approx(100 * 4 / 7, abs=1e-4)


@pytest.mark.parametrize(
    "counts, cells, margins",
    [
        (COUNTS, CELLS, {"g": {"f": 500, "m": 0}, "a": MARGINS["a"]}),  # empty margin category
        (COUNTS, CELLS, {"g": {"f": 500}, "a": MARGINS["a"]}),  # sample category unknown to margin
        (COUNTS, CELLS, {"g": {}, "a": MARGINS["a"]}),  # empty margin
        (COUNTS, CELLS, {}),  # no margins
        ([0, 0, 0, 0], CELLS, MARGINS),  # empty sample
        (COUNTS, CELLS[:3], MARGINS),  # misaligned
        (COUNTS, [{"g": "f"}] + CELLS[1:], MARGINS),  # cell without an age
    ],
)
def test_rake_invalid_inputs(counts, cells, margins):
    with pytest.raises(s.WeightingError):
        s.rake(counts, cells, margins)
    assert issubclass(s.WeightingError, ValueError)


# ---------------------------------------------------------------- free text


def test_word_frequencies():
    texts = [
        "Pelayanan yang sangat baik, tapi antrean panjang!",
        None,
        "Antrean di kantor tidak tertib; pelayanan ramah.",
        "The queue is long and the staff are kind",
    ]
    top = dict(s.word_frequencies(texts))
    assert top["pelayanan"] == 2 and top["antrean"] == 2 and top["tidak"] == 1
    assert not {"yang", "di", "the", "and", "is"} & set(top)
    assert s.word_frequencies(["ok a ok i c"], languages=(), top=2) == [("ok", 2)]  # one-letter tokens dropped
    assert s.word_frequencies(["zeta alpha zeta alpha beta"], top=2) == [("alpha", 2), ("zeta", 2)]
    assert s.word_frequencies(["anak-anak senang"], languages=("id",)) == [("anak-anak", 1), ("senang", 1)]
    with pytest.raises(ValueError):
        s.word_frequencies(["x"], languages=("fr",))
