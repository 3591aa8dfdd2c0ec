"""Proportions and means with their intervals (Wilson, t), from counts and sums."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from scipy import stats as st

from ._base import _check_confidence


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
