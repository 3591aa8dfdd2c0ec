"""Who is heard: the representation index, representativeness, concentration, quantiles."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

from ._base import Data, _table


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
