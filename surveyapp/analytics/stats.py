"""Survey statistics for Suara's metrics, computed from aggregated counts and sums (no Flask, no database)."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as st
from statsmodels.stats.contingency_tables import mcnemar as _sm_mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from .stopwords import STOPWORDS

# Conventions for every function here:
# - "No data" (n == 0, empty input) returns None, never 0, so callers can show "no data".
# - Invalid input (negative counts, count > n, confidence outside (0, 1)) raises ValueError.
# - Two-sample differences are always first − second, matching statsmodels and scipy.
# - `Data` is either raw values or a frequency table {value: count}, which is what SQL
#   GROUP BY returns; tables are expanded with numpy.repeat only where a library needs raw data.
Data = Sequence[float] | Mapping[float, float]


# --------------------------------------------------------------------------- helpers


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def _table(data: Data) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) sorted by value, zero counts dropped; raises ValueError on a negative count."""
    if isinstance(data, Mapping):
        values = np.array(list(data.keys()), dtype=float)
        counts = np.array(list(data.values()), dtype=float)
        if (counts < 0).any():
            raise ValueError("frequency table has a negative count")
    else:
        values, counts = np.unique(np.asarray(data, dtype=float), return_counts=True)
    keep = counts > 0
    order = np.argsort(values[keep], kind="stable")
    return values[keep][order], counts[keep][order].astype(float)


def _expand(data: Data) -> np.ndarray:
    values, counts = _table(data)
    if not np.all(counts == np.round(counts)):
        raise ValueError("frequency-table counts must be whole numbers")
    return np.repeat(values, counts.astype(np.int64))


def _scale_table(data: Data, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    values, counts = _table(data)
    if ((values < lo) | (values > hi) | (values != np.round(values))).any():
        raise ValueError(f"answers must be whole numbers from {lo} to {hi}")
    return values, counts


# --------------------------------------------------------------------------- proportions and means


@dataclass(frozen=True)
class Proportion:
    """A share p = count/n with its confidence interval [low, high]."""

    count: float
    n: float
    p: float
    low: float
    high: float
    confidence: float = 0.95


@dataclass(frozen=True)
class MeanCI:
    """A mean with its t interval; sd, low and high are None when n == 1 (no spread to estimate)."""

    n: int
    mean: float
    sd: float | None
    low: float | None
    high: float | None
    confidence: float = 0.95


def wilson_interval(
    count: float, n: float, confidence: float = 0.95, population: float | None = None
) -> Proportion | None:
    """Wilson score interval for count/n (statsmodels, method="wilson"); None when n == 0.

    count and n may be floats, so a weighted share is passed as count = p̂·n_eff, n = n_eff.
    population N applies the finite-population correction f = √((N−n)/(N−1)) to the standard
    error inside the score equation, which is Wilson's formula at the effective size n/f².
    We chose this over shrinking the half-widths around the Wilson centre because it tends to
    [p̂, p̂] in a census (n = N), where the centre-shrunk interval would exclude p̂.
    Raises ValueError unless 0 <= count <= n, N >= n and 0 < confidence < 1.
    """
    _check_confidence(confidence)
    if n < 0 or not 0 <= count <= n:
        raise ValueError(f"need 0 <= count <= n, got count={count!r}, n={n!r}")
    if population is not None and population < n:
        raise ValueError(f"population ({population}) is smaller than the sample ({n})")
    if n == 0:
        return None
    p = float(count / n)
    if population is not None and population == n:
        return Proportion(count, n, p, p, p, confidence)
    f2 = 1.0 if population is None else (population - n) / (population - 1)
    low, high = _wilson(count / f2, n / f2, 1 - confidence)
    return Proportion(count, n, p, float(low), float(high), confidence)


@functools.lru_cache(maxsize=16)
def _z(tail: float) -> float:
    return float(st.norm.isf(tail))


def _wilson(count: float, nobs: float, alpha: float) -> tuple[float, float]:
    """statsmodels' proportion_confint(method="wilson"), step for step in
    scalar floats (bit-identical: tests/results/test_tally_stats.py), without its array
    set-up and a fresh normal quantile per call, which cost milliseconds
    per cell of a summary."""
    q_ = count / nobs
    crit = _z(alpha / 2.0)
    crit2 = crit**2
    denom = 1 + crit2 / nobs
    center = (q_ + crit2 / (2 * nobs)) / denom
    dist = crit * math.sqrt(q_ * (1.0 - q_) / nobs + crit2 / (4.0 * (nobs * nobs)))
    dist /= denom
    return min(max(center - dist, 0.0), 1.0), min(max(center + dist, 0.0), 1.0)


def mean_ci(n: int, mean: float, sd: float | None, confidence: float = 0.95) -> MeanCI | None:
    """t interval mean ± t(1−α/2, n−1)·sd/√n (scipy.stats.t); None when n == 0."""
    _check_confidence(confidence)
    if n < 0 or (sd is not None and sd < 0):
        raise ValueError("n and sd must not be negative")
    if n == 0:
        return None
    mean = float(mean)
    if n == 1 or sd is None:
        return MeanCI(n, mean, None, None, None, confidence)
    half = float(st.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(n, mean, float(sd), mean - half, mean + half, confidence)


def moments_from_sums(n: int, total: float, total_sq: float) -> tuple[float, float | None] | None:
    """(mean, sample sd) from n, Σx and Σx² as SQL returns them; sd is None when n == 1, result None when n == 0.

    The one-pass formula loses precision when values are far from zero relative to their
    spread (e.g. epoch seconds); then sum x − c in SQL and add c back to the mean.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return None
    mean = total / n
    if n == 1:
        return mean, None
    # Rounding can make a zero variance come out slightly negative.
    return mean, math.sqrt(max((total_sq - total * mean) / (n - 1), 0.0))


def mean_ci_from_sums(n: int, total: float, total_sq: float, confidence: float = 0.95) -> MeanCI | None:
    """mean_ci from n, Σx and Σx²; None when n == 0."""
    moments = moments_from_sums(n, total, total_sq)
    return None if moments is None else mean_ci(n, moments[0], moments[1], confidence)


# --------------------------------------------------------------------------- scores


def top_box_share(
    counts_by_level: Mapping[Hashable, float],
    top_levels: Iterable[Hashable],
    confidence: float = 0.95,
    population: float | None = None,
) -> Proportion | None:
    """Share of answers in top_levels with a Wilson interval; n = all counted answers; None when n == 0.

    Pass valid answers only: "don't know" and skips must not be in counts_by_level.
    """
    top = set(top_levels)
    n = sum(counts_by_level.values())
    count = sum(c for level, c in counts_by_level.items() if level in top)
    return wilson_interval(count, n, confidence, population)


def csat(counts_by_level: Mapping[int, float], confidence: float = 0.95) -> Proportion | None:
    """CSAT: share of 4 and 5 on a 1–5 item, with a Wilson interval (it is not the mean)."""
    _scale_table(counts_by_level, 1, 5)
    return top_box_share(counts_by_level, (4, 5), confidence)


@dataclass(frozen=True)
class RecommendScore:
    """Recommend score 100·(pP − pD) in [−100, 100], its SE and a normal interval clipped to the range."""

    n: int
    score: float
    se: float
    low: float
    high: float
    promoters: int
    passives: int
    detractors: int
    confidence: float = 0.95


def recommend_score(data: Data, confidence: float = 0.95) -> RecommendScore | None:
    """Recommend score of a 0–10 item (promoters 9–10, detractors 0–6); None when n == 0.

    SE = 100·√((pP + pD − (pP − pD)²)/n). Raises ValueError for answers outside 0..10.
    """
    _check_confidence(confidence)
    values, counts = _scale_table(data, 0, 10)
    n = counts.sum()
    if n == 0:
        return None
    promoters, detractors = counts[values >= 9].sum(), counts[values <= 6].sum()
    pp, pd = promoters / n, detractors / n
    score = 100 * (pp - pd)
    se = 100 * math.sqrt(max(pp + pd - (pp - pd) ** 2, 0.0) / n)
    half = float(st.norm.ppf(0.5 + confidence / 2)) * se
    return RecommendScore(
        int(n),
        score,
        se,
        max(score - half, -100.0),
        min(score + half, 100.0),
        int(promoters),
        int(n - promoters - detractors),
        int(detractors),
        confidence,
    )


@dataclass(frozen=True)
class TrustBands:
    """OECD trust bands of a 0–10 item: low 0–4, neutral 5, high 6–10, each a Proportion, plus the mean."""

    n: int
    low: Proportion
    neutral: Proportion
    high: Proportion
    mean: MeanCI


def trust_bands(data: Data, confidence: float = 0.95) -> TrustBands | None:
    """Band shares with Wilson intervals and the mean with a t interval; None when n == 0."""
    values, counts = _scale_table(data, 0, 10)
    n = counts.sum()
    if n == 0:
        return None

    def band(mask: np.ndarray) -> Proportion:
        return wilson_interval(float(counts[mask].sum()), float(n), confidence)

    return TrustBands(
        int(n),
        band(values <= 4),
        band(values == 5),
        band(values >= 6),
        mean_ci_from_sums(int(n), (values * counts).sum(), (values**2 * counts).sum(), confidence),
    )


# --------------------------------------------------------------------------- rates


def response_rates(
    i: float,
    p: float = 0,
    r: float = 0,
    nc: float = 0,
    o: float = 0,
    uh: float = 0,
    uo: float = 0,
    e: float | None = None,
) -> dict[str, float | None]:
    """AAPOR RR1–RR6 for an invited sample: {"RR1": ..., ..., "RR6": ...}.

    i complete, p partial, r refusal/break-off, nc non-contact, o other, uh/uo unknown
    eligibility, e estimated eligible share of the unknowns. RR3/RR4 are None when e is None
    (and there are unknowns); any rate whose denominator is 0 is None. Raises ValueError for
    negative dispositions or e outside [0, 1].
    """
    if min(i, p, r, nc, o, uh, uo) < 0:
        raise ValueError("dispositions must not be negative")
    if e is not None and not 0 <= e <= 1:
        raise ValueError("e must be in [0, 1]")
    known = (i + p) + (r + nc + o)
    unknown = uh + uo

    def rate(num: float, den: float | None) -> float | None:
        return None if den is None or den == 0 else num / den

    with_e = known if unknown == 0 else (None if e is None else known + e * unknown)
    return {
        "RR1": rate(i, known + unknown),
        "RR2": rate(i + p, known + unknown),
        "RR3": rate(i, with_e),
        "RR4": rate(i + p, with_e),
        "RR5": rate(i, known),
        "RR6": rate(i + p, known),
    }


def completion_rate(completes: float, starts: float) -> float | None:
    """completes ÷ starts for open links (which have no response rate); None when starts == 0."""
    if not 0 <= completes <= starts:
        raise ValueError("need 0 <= completes <= starts")
    return None if starts == 0 else completes / starts


def breakoff_rate(breakoffs: float, starts: float) -> float | None:
    """break-offs ÷ starts; None when starts == 0.

    The caller decides what a break-off is (e.g. started and idle for 24 h) so that
    responses still in progress on an open survey are not counted as abandoned.
    """
    if not 0 <= breakoffs <= starts:
        raise ValueError("need 0 <= breakoffs <= starts")
    return None if starts == 0 else breakoffs / starts


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class Kish:
    """Kish effective sample size n_eff = (Σw)²/Σw² and design effect deff = n·Σw²/(Σw)²."""

    n: float
    n_eff: float
    deff: float


def kish_from_sums(n: float, sum_w: float, sum_w2: float) -> Kish | None:
    """Kish from n, Σw and Σw² (for per-cell weights: Σ count·w and Σ count·w²); None when n or Σw² is 0."""
    if n < 0 or sum_w2 < 0:
        raise ValueError("n and Σw² must not be negative")
    if n == 0 or sum_w2 == 0:
        return None
    return Kish(n, sum_w**2 / sum_w2, n * sum_w2 / sum_w**2)


def kish(weights: Sequence[float]) -> Kish | None:
    """Kish from one weight per respondent; None when empty or all zero. Raises ValueError on a negative weight."""
    w = np.asarray(weights, dtype=float)
    if (w < 0).any():
        raise ValueError("weights must not be negative")
    return kish_from_sums(len(w), float(w.sum()), float((w**2).sum()))


class WeightingError(ValueError):
    """Raking inputs that cannot define weights (unknown or empty categories, zero totals)."""


@dataclass(frozen=True)
class RakeResult:
    """Per-cell weights (aligned with the input cells, Σ count·w = n) and how the fit went.

    max_gap is the largest |weighted share − target share| over all margin categories;
    empty_categories lists, per dimension, margin categories with no respondents, which
    were left out of the fit (their population share is spread over the other categories).
    """

    weights: tuple[float, ...]
    converged: bool
    iterations: int
    max_gap: float
    empty_categories: dict[str, tuple[Hashable, ...]]
    kish: Kish


def _trim(w: np.ndarray, counts: np.ndarray, cap: float, n: float) -> np.ndarray:
    # Capped weight is handed to the uncapped cells so the total stays n; that can push
    # others over the cap, hence the loop (the capped set only grows, so it ends).
    for _ in range(len(w)):
        over = w > cap
        if not over.any():
            break
        w = np.where(over, cap, w)
        free = (w < cap) & (counts > 0)
        w[free] *= (n - (counts[~free] * w[~free]).sum()) / (counts[free] * w[free]).sum()
    return w


def rake(
    cell_counts: Sequence[float],
    cell_keys: Sequence[Mapping[str, Hashable]],
    margins: Mapping[str, Mapping[Hashable, float]],
    cap: float | None = 5.0,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> RakeResult:
    """Rake (iterative proportional fitting) cell weights to population margins.

    cell_counts[k] respondents share the categories cell_keys[k] = {dimension: category}.
    margins = {dimension: {category: population count}}; each dimension is used as shares
    of its own total, so margins from sources with slightly different totals still fit.
    Weights are scaled so Σ count·w = n (mean weight 1); multiply by N/n for expansion weights.
    After each sweep weights above `cap` (a multiple of the mean weight, None = no cap) are
    trimmed and the excess spread over the other cells. Stops when max_gap < tol, or after
    max_iter sweeps with converged=False (e.g. the cap or an empty joint cell makes the
    margins unreachable).
    Raises WeightingError when: the sample is empty; a cell lacks a dimension or has a
    category not in its margin; a margin is empty, has a negative count or a zero total,
    or a category with population 0; cap <= 1.
    """
    counts = np.asarray(cell_counts, dtype=float)
    if len(counts) != len(cell_keys):
        raise WeightingError("cell_counts and cell_keys differ in length")
    if (counts < 0).any() or counts.sum() <= 0:
        raise WeightingError("cell counts must be non-negative with a positive total")
    if not margins:
        raise WeightingError("no margins to rake to")
    if cap is not None and cap <= 1:
        raise WeightingError("cap must be above 1 (the mean weight)")
    n = float(counts.sum())
    index, targets, empty = [], [], {}
    for dim, margin in margins.items():
        cats = list(margin)
        pop = np.array([margin[c] for c in cats], dtype=float)
        if not cats or (pop < 0).any() or pop.sum() <= 0:
            raise WeightingError(f"margin {dim!r} is empty, negative or totals 0")
        if (pop == 0).any():
            raise WeightingError(
                f"margin {dim!r} has categories with population 0: "
                f"{[c for c, v in zip(cats, pop) if v == 0]}; drop or merge them"
            )
        pos = {c: j for j, c in enumerate(cats)}
        try:
            idx = np.array([pos[key[dim]] for key in cell_keys], dtype=int)
        except KeyError as exc:
            raise WeightingError(
                f"a sample cell has no category, or an unknown one ({exc.args[0]!r}), "
                f"for dimension {dim!r}; map it to a margin category first"
            ) from None
        in_sample = np.bincount(idx, weights=counts, minlength=len(cats)) > 0
        if not in_sample.all():
            empty[dim] = tuple(c for c, ok in zip(cats, in_sample) if not ok)
        # Empty categories cannot receive weight; fitting the others to their shares
        # of the remaining population is the only reachable target.
        share = np.where(in_sample, pop, 0.0)
        index.append(idx)
        targets.append(n * share / share.sum())

    def gap(w: np.ndarray) -> float:
        return (
            max(
                float(np.abs(np.bincount(idx, weights=counts * w, minlength=len(t)) - t).max())
                for idx, t in zip(index, targets)
            )
            / n
        )

    w = np.ones_like(counts)
    iterations, max_gap = 0, gap(w)
    while max_gap >= tol and iterations < max_iter:
        iterations += 1
        for idx, t in zip(index, targets):
            current = np.bincount(idx, weights=counts * w, minlength=len(t))
            w = w * np.divide(t, current, out=np.ones_like(t), where=current > 0)[idx]
        if cap is not None:
            w = _trim(w, counts, cap, n)
        max_gap = gap(w)
    return RakeResult(
        tuple(float(x) for x in w),
        bool(max_gap < tol),
        iterations,
        max_gap,
        empty,
        kish_from_sums(n, float((counts * w).sum()), float((counts * w**2).sum())),
    )


# --------------------------------------------------------------------------- comparisons


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


# --------------------------------------------------------------------------- who is heard


@dataclass(frozen=True)
class Representation:
    """One segment: sample n and share, population N and share, RI = share ÷ population share."""

    n: float
    share: float
    population: float
    population_share: float
    index: float
    under: bool


def _segments(sample_counts: Mapping[Hashable, float], population_counts: Mapping[Hashable, float]):
    if any(v <= 0 for v in population_counts.values()) or any(v < 0 for v in sample_counts.values()):
        raise ValueError("population counts must be positive and sample counts non-negative")
    return {g: sample_counts.get(g, 0) for g in population_counts}


def representation_index(
    sample_counts: Mapping[Hashable, float], population_counts: Mapping[Hashable, float], threshold: float = 0.8
) -> dict[Hashable, Representation] | None:
    """Per population segment g: RI_g = (n_g/n)/(N_g/N), under = RI_g < threshold.

    Segments are those of population_counts; sample segments outside it (e.g. "prefer not
    to say") are left out of n. None when no respondent falls in a population segment.
    Raises ValueError for a population count <= 0 or a negative sample count.
    """
    sample = _segments(sample_counts, population_counts)
    n, big_n = sum(sample.values()), sum(population_counts.values())
    if n == 0 or big_n == 0:
        return None
    rows = {}
    for g, n_g in sample.items():
        share, pop_share = n_g / n, population_counts[g] / big_n
        rows[g] = Representation(
            n_g, share, population_counts[g], pop_share, share / pop_share, share / pop_share < threshold
        )
    return rows


def representativeness_score(
    sample_counts: Mapping[Hashable, float], population_counts: Mapping[Hashable, float]
) -> float | None:
    """Lowest segment participation rate n_g/N_g ÷ the highest, in [0, 1]; 1 = every segment
    equally reached. None when no population segment has a participant."""
    sample = _segments(sample_counts, population_counts)
    rates = [sample[g] / population_counts[g] for g in population_counts]
    return None if not rates or max(rates) == 0 else min(rates) / max(rates)


def gini(data: Data) -> float | None:
    """Gini of participations per participant: G = 2·Σ i·x_(i)/(n·Σx) − (n+1)/n (sorted x, i from 1).

    data: one count per participant, or a table {participations: participants}. None when
    there are no participants or no participations. Raises ValueError on negative values.
    """
    values, counts = _table(data)
    if (values < 0).any():
        raise ValueError("participation counts must not be negative")
    n, total = counts.sum(), (values * counts).sum()
    if n == 0 or total == 0:
        return None
    before = np.cumsum(counts) - counts
    rank_sums = counts * before + counts * (counts + 1) / 2  # Σ of the ranks held by each value
    return float(2 * (values * rank_sums).sum() / (n * total) - (n + 1) / n)


def top_share(data: Data, share: float = 0.10) -> float | None:
    """Share of all participations made by the most active ceil(share·n) participants (at
    least 1), ties broken arbitrarily since only their sum matters. Same data as gini; None
    when there are no participants or no participations."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    values, counts = _table(data)
    n, total = counts.sum(), (values * counts).sum()
    if n == 0 or total == 0:
        return None
    # Rounding first keeps 0.1·30 = 3.0000000000000004 from becoming 4 participants.
    remaining, top = max(1, math.ceil(round(share * n, 9))), 0.0
    for v, c in zip(values[::-1], counts[::-1]):
        take = min(c, remaining)
        top, remaining = top + take * v, remaining - take
        if remaining == 0:
            break
    return float(top / total)


@dataclass(frozen=True)
class Quantiles:
    """Summary of a distribution: n, mean, min, q1, median, q3, max."""

    n: int
    mean: float
    min: float
    q1: float
    median: float
    q3: float
    max: float


def quantiles_from_counts(counts: Data) -> Quantiles | None:
    """Quartiles from a table {value: count} (or raw values) without expanding it.

    Quantile definition: numpy's default "linear" (Hyndman & Fan type 7) on the expanded
    data, i.e. position h = (n−1)·q between order statistics. None when n == 0.
    """
    values, c = _table(counts)
    if not np.all(c == np.round(c)):
        raise ValueError("counts must be whole numbers")
    n = int(c.sum())
    if n == 0:
        return None
    cum = np.cumsum(c)

    def order_stat(k: int) -> float:  # k-th smallest, 0-based
        return float(values[np.searchsorted(cum, k, side="right")])

    def q(prob: float) -> float:
        h = (n - 1) * prob
        lo = math.floor(h)
        x_lo = order_stat(lo)
        return x_lo + (h - lo) * (order_stat(min(lo + 1, n - 1)) - x_lo)

    return Quantiles(n, float((values * c).sum() / n), float(values[0]), q(0.25), q(0.5), q(0.75), float(values[-1]))


# --------------------------------------------------------------------------- free text

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")  # letters, keeping "anak-anak" and "don't" whole


def word_frequencies(
    texts: Iterable[str | None], languages: Sequence[str] = ("id", "en"), top: int = 20
) -> list[tuple[str, int]]:
    """The `top` most frequent words over texts, as [(word, count)], most frequent first (ties
    alphabetical). Lowercased; stop words of `languages` and one-letter tokens removed;
    None texts skipped. Raises ValueError for a language without a stop-word list."""
    stop = stop_words(languages)
    words = Counter(w for text in texts if text for w in tokens(text) if w not in stop)
    return sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


MAX_WORD = 64


def stop_words(languages: Sequence[str]) -> frozenset[str]:
    """The union of the stop words of ``languages``; ValueError for a
    language without a list."""
    unknown = set(languages) - set(STOPWORDS)
    if unknown:
        raise ValueError(f"no stop words for {sorted(unknown)}; known: {sorted(STOPWORDS)}")
    return frozenset().union(*(STOPWORDS[lang] for lang in languages))


def tokens(text: str) -> list[str]:
    """The countable words of one text: lowercased, 2 to MAX_WORD letters
    (longer runs are pasted links or keyboard mashing, not words). The
    tally (tally.py) folds exactly these, so both paths count the same."""
    return [w for w in _WORD.findall(text.lower()) if 1 < len(w) <= MAX_WORD]
