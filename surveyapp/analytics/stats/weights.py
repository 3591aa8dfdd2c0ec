"""Weights: Kish's effective sample size and raking to population margins."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


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
