"""Comparing groups and waves: differences, tests, and false-discovery control."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as st
from statsmodels.stats.contingency_tables import mcnemar as _sm_mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from ._base import Data, _check_confidence, _expand, _table
from .proportions import mean_ci, moments_from_sums


@dataclass(frozen=True)
class Comparison:
    """A two-sample or paired test. estimate/low/high describe first − second (or the mean
    paired difference) where the test has one; for Mann–Whitney estimate is U/(n1·n2) =
    P(a > b) + ½P(a = b). n2 is None for paired tests, where n1 counts pairs."""

    method: str
    statistic: float
    p_value: float
    n1: int
    n2: int | None = None
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    df: float | None = None
    confidence: float = 0.95


def newcombe_diff_ci(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """(p1 − p2, low, high): Newcombe's hybrid score interval (his method 10, statsmodels "newcomb").

    To show a before → after change as after − before, pass the after wave first.
    None when n1 or n2 is 0.
    """
    _check_confidence(confidence)
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("need 0 <= x <= n in both groups")
    if n1 == 0 or n2 == 0:
        return None
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - confidence)
    return x1 / n1 - x2 / n2, float(low), float(high)


def two_proportion_ztest(x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95) -> Comparison | None:
    """Pooled two-proportion z test of p1 = p2 (two-sided), with the Newcombe interval of p1 − p2.

    z > 0 when p1 > p2. When both groups are all 0 or all 1 the pooled SE is 0; there is no
    evidence of a difference, so z = 0 and p = 1. None when n1 or n2 is 0.
    """
    diff = newcombe_diff_ci(x1, n1, x2, n2, confidence)
    if diff is None:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        z, p = 0.0, 1.0
    else:
        z, p = proportions_ztest([x1, x2], [n1, n2])
    return Comparison("two-proportion z (pooled)", float(z), float(p), int(n1), int(n2), *diff, confidence=confidence)


def mann_whitney(a: Data, b: Data, alternative: str = "two-sided") -> Comparison | None:
    """Mann–Whitney U of a against b (scipy method="auto": exact for small samples without ties,
    otherwise normal with tie correction). a and b may be frequency tables {level: count}.
    statistic is U for a. None when either sample is empty."""
    xa, xb = _expand(a), _expand(b)
    if len(xa) == 0 or len(xb) == 0:
        return None
    if np.unique(np.concatenate([xa, xb])).size == 1:
        u, p = len(xa) * len(xb) / 2, 1.0  # all answers equal: scipy's variance is 0
    else:
        u, p = st.mannwhitneyu(xa, xb, alternative=alternative, method="auto")
    return Comparison("Mann-Whitney U", float(u), float(p), len(xa), len(xb), estimate=float(u) / (len(xa) * len(xb)))


def welch_t(
    n1: int, mean1: float, sd1: float, n2: int, mean2: float, sd2: float, confidence: float = 0.95
) -> Comparison | None:
    """Welch t test from summary statistics (scipy ttest_ind_from_stats, equal_var=False) with the
    Welch–Satterthwaite interval of mean1 − mean2. Summary statistics from SQL sums come from
    moments_from_sums. None when either n < 2 or both sd are 0 (the test is undefined)."""
    _check_confidence(confidence)
    if min(n1, n2) < 2 or (sd1 == 0 and sd2 == 0):
        return None
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    t, p = st.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=False)
    half = float(st.t.ppf(0.5 + confidence / 2, df)) * math.sqrt(v1 + v2)
    diff = mean1 - mean2
    return Comparison("Welch t", float(t), float(p), n1, n2, diff, diff - half, diff + half, df, confidence)


def mcnemar(
    b: float | Sequence[Sequence[float]], c: float | None = None, exact: bool | None = None
) -> Comparison | None:
    """McNemar test for paired yes/no answers (statsmodels), from the discordant counts b, c
    or a 2×2 table [[yes→yes, yes→no], [no→yes, no→no]] (rows first wave, columns second).

    exact=None uses the exact binomial test when b + c < 25, else chi-square with continuity
    correction. With a full table, estimate = p_first − p_second = (b − c)/N. None for no pairs.
    """
    table = np.array([[0, b], [c, 0]] if c is not None else b, dtype=float)
    if table.shape != (2, 2) or (table < 0).any():
        raise ValueError("need non-negative b and c, or a 2x2 table")
    total, disc = table.sum(), table[0, 1] + table[1, 0]
    if total == 0:
        return None
    exact = disc < 25 if exact is None else exact
    res = _sm_mcnemar(table, exact=exact, correction=True)
    estimate = (table[0, 1] - table[1, 0]) / total if c is None else None
    return Comparison(
        "McNemar exact" if exact else "McNemar chi-square",
        float(res.statistic),
        float(res.pvalue),
        int(total),
        estimate=estimate,
    )


def wilcoxon_signed_rank(differences: Data, alternative: str = "two-sided") -> Comparison | None:
    """Wilcoxon signed-rank test on paired differences (scipy, zero_method="wilcox": zero
    differences are dropped, method="auto"). differences may be a table {difference: count}.
    n1 counts all pairs; with no non-zero difference p = 1. None when there are no pairs."""
    d = _expand(differences)
    if len(d) == 0:
        return None
    if not d.any():
        return Comparison("Wilcoxon signed-rank", 0.0, 1.0, len(d))
    res = st.wilcoxon(d, alternative=alternative)
    return Comparison("Wilcoxon signed-rank", float(res.statistic), float(res.pvalue), len(d))


def paired_t_from_sums(n: int, total: float, total_sq: float, confidence: float = 0.95) -> Comparison | None:
    """Paired t test from n, Σd and Σd² of the paired differences, with the interval of the mean
    difference. None when n < 2 or all differences are equal (sd 0: the test is undefined)."""
    moments = moments_from_sums(n, total, total_sq)
    if moments is None or moments[1] is None or moments[1] == 0:
        return None
    ci = mean_ci(n, *moments, confidence)
    t = ci.mean / (ci.sd / math.sqrt(n))
    p = 2 * float(st.t.sf(abs(t), n - 1))
    return Comparison("paired t", t, p, n, None, ci.mean, ci.low, ci.high, n - 1, confidence)


def paired_t(differences: Data, confidence: float = 0.95) -> Comparison | None:
    """paired_t_from_sums on raw differences or a table {difference: count}."""
    values, counts = _table(differences)
    return paired_t_from_sums(
        int(counts.sum()), float((values * counts).sum()), float((values**2 * counts).sum()), confidence
    )


@dataclass(frozen=True)
class FdrResult:
    """Benjamini–Hochberg adjusted p-values and reject flags, aligned with the input (None stays None)."""

    adjusted: tuple[float | None, ...]
    reject: tuple[bool | None, ...]


def benjamini_hochberg(pvalues: Sequence[float | None], alpha: float = 0.05) -> FdrResult:
    """False-discovery-rate control over many questions (statsmodels multipletests "fdr_bh").
    None entries (questions without a test) are skipped and do not count towards m."""
    present = [k for k, p in enumerate(pvalues) if p is not None]
    adjusted: list[float | None] = [None] * len(pvalues)
    reject: list[bool | None] = [None] * len(pvalues)
    if present:
        rej, adj, _, _ = multipletests([pvalues[k] for k in present], alpha=alpha, method="fdr_bh")
        for k, r, a in zip(present, rej, adj):
            adjusted[k], reject[k] = float(a), bool(r)
    return FdrResult(tuple(adjusted), tuple(reject))


@dataclass(frozen=True)
class ChiSquare:
    """Chi-square test of independence; small_expected follows Cochran's rule."""

    statistic: float
    dof: int
    p_value: float
    expected: tuple[tuple[float, ...], ...]
    small_expected: bool
    n: int


def chi_square(table: Sequence[Sequence[float]]) -> ChiSquare | None:
    """scipy chi2_contingency on a 2-D table of counts (Yates correction on 2×2, scipy's default).

    All-zero rows and columns (a category nobody chose) are dropped first; expected refers to
    the reduced table. small_expected is Cochran's rule: any expected count < 1 or more than
    20% of cells below 5, when the p-value should not be trusted. None when n == 0 or fewer
    than 2 non-empty rows or columns remain.
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or (t < 0).any():
        raise ValueError("need a 2-D table of non-negative counts")
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return None
    res = st.chi2_contingency(t)
    exp = res.expected_freq
    small = bool((exp < 1).any() or (exp < 5).mean() > 0.2)
    return ChiSquare(
        float(res.statistic),
        int(res.dof),
        float(res.pvalue),
        tuple(tuple(float(x) for x in row) for row in exp),
        small,
        int(t.sum()),
    )
