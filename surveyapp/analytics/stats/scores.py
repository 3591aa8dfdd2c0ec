"""Satisfaction scores: top-box share, CSAT, the recommend score and trust bands."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as st

from ._base import Data, _check_confidence, _scale_table
from .proportions import MeanCI, Proportion, mean_ci_from_sums, wilson_interval


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
