"""The arithmetic of the metric set on plain numbers (no Flask, no database).

Queries hand over counts, sums and frequency tables; these functions turn
them into the figures of docs/metrics.md, using analytics/stats/ for every
interval and test. As in analytics/stats, "no data" is None, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..analytics import stats

OFFLINE_CHANNELS = ("paper", "kiosk", "offline_app", "activity")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Margins whose total is further than this from the community size get a warning.
MARGIN_TOLERANCE = 0.02


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator; None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def median(values: Sequence[float]) -> float | None:
    """Median (mean of the two middle values for an even count); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def frequency_summary(table: Mapping[int, int]) -> dict | None:
    """M4: {participations per person: people} -> mean, quartiles, max and the distribution."""
    q = stats.quantiles_from_counts(table)
    if q is None:
        return None
    return {
        "people": q.n,
        "mean": q.mean,
        "median": q.median,
        "q1": q.q1,
        "q3": q.q3,
        "max": q.max,
        "distribution": {int(k): int(v) for k, v in sorted(table.items()) if v},
    }


def concentration(table: Mapping[int, int]) -> dict | None:
    """E3: share of participations from the most active 10% of identified people, and the Gini."""
    top = stats.top_share(table, 0.10)
    if top is None:
        return None
    return {"top10_share": top, "gini": stats.gini(table)}


def csat_summary(counts: Mapping[int, int]) -> dict | None:
    """M3: CSAT (share of 4-5 with a Wilson interval) and the mean of a 1-5 item."""
    share = stats.csat(counts)
    if share is None:
        return None
    n = sum(counts.values())
    total = sum(k * v for k, v in counts.items())
    mean = stats.mean_ci_from_sums(n, total, sum(k * k * v for k, v in counts.items()))
    return {
        "csat": share.p,
        "low": share.low,
        "high": share.high,
        "n": int(n),
        "mean": mean.mean,
        "distribution": {int(k): int(v) for k, v in sorted(counts.items())},
    }


def trust_summary(counts: Mapping[int, int]) -> dict | None:
    """M7: share answering 6-10 (Wilson) with the low/neutral bands and the mean of a 0-10 item."""
    bands = stats.trust_bands(counts)
    if bands is None:
        return None
    return {
        "high": bands.high.p,
        "low_ci": bands.high.low,
        "high_ci": bands.high.high,
        "n": bands.n,
        "low_band": bands.low.p,
        "neutral_band": bands.neutral.p,
        "mean": bands.mean.mean,
    }


def relations_index(n: int, total: float, total_sq: float) -> dict | None:
    """M6: mean of per-respondent 0-100 scores with its t interval (scores rescaled in SQL)."""
    ci = stats.mean_ci_from_sums(n, total, total_sq)
    if ci is None:
        return None
    return {"index": ci.mean, "low": ci.low, "high": ci.high, "n": ci.n}


def rescale(value: float, lowest: float, highest: float) -> float:
    """A scale answer as 0-100 (lowest -> 0, highest -> 100)."""
    if highest <= lowest:
        raise ValueError("a scale needs highest > lowest")
    return 100.0 * (value - lowest) / (highest - lowest)


def representation(
    sample: Mapping[str, float], population: Mapping[str, float], threshold: float = 0.8
) -> list[dict] | None:
    """E1 for one dimension: one row per population category, under = index < threshold."""
    rows = stats.representation_index(sample, population, threshold)
    if rows is None:
        return None
    return [
        {
            "category": g,
            "n": r.n,
            "share": r.share,
            "population": r.population,
            "population_share": r.population_share,
            "index": r.index,
            "under": r.under,
        }
        for g, r in rows.items()
    ]


def representativeness(sample: Mapping[str, float], population: Mapping[str, float]) -> float | None:
    """E2 for one dimension: lowest participation rate ÷ highest."""
    return stats.representativeness_score(sample, population)


def channel_mix(counts: Mapping[str, int]) -> dict | None:
    """E5: participations by channel with shares, and the offline share (paper, kiosk, app, activity)."""
    total = sum(counts.values())
    if total == 0:
        return None
    return {
        "total": total,
        "offline_share": sum(v for k, v in counts.items() if k in OFFLINE_CHANNELS) / total,
        "channels": {k: {"count": v, "share": v / total} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])},
    }


def follow_ups(
    items: int, items_with_action: int, days_to_first_action: Sequence[float], actions: int, published: int
) -> dict:
    """M10: actions, follow-up rate, median days to the first action, published share (each None without data)."""
    if not 0 <= items_with_action <= items or not 0 <= published <= actions:
        raise ValueError("counts out of range")
    return {
        "actions": actions,
        "items": items,
        "items_with_action": items_with_action,
        "rate": ratio(items_with_action, items),
        "median_days": median(days_to_first_action),
        "published_share": ratio(published, actions),
    }


def indicator_progress(baseline: float | None, target: float | None, value: float | None) -> float | None:
    """Share of the way from baseline to target (can be < 0 or > 1); None without all three or when target = baseline."""
    if None in (baseline, target, value) or target == baseline:
        return None
    return (value - baseline) / (target - baseline)


def margin_warnings(community_size: int | None, margins: Mapping[str, Mapping[str, float]]) -> list[dict]:
    """Dimensions whose categories do not add up to the community size (beyond 2%)."""
    if not community_size:
        return []
    out = []
    for dimension, cats in sorted(margins.items()):
        total = sum(cats.values())
        if abs(total - community_size) > MARGIN_TOLERANCE * community_size:
            out.append({"dimension": dimension, "total": total, "community_size": community_size})
    return out


# ---- M5: before -> after ----------------------------------------------------

MIN_PAIRS = 5


def paired_design(n_before: int, n_after: int, n_pairs: int) -> bool:
    """Use the paired tests when at least 5 people, and at least half of the smaller
    wave, answered both waves (linked participants); otherwise compare the waves as
    independent samples (docs/statistics.md §5: different people in each wave)."""
    return n_pairs >= MIN_PAIRS and n_pairs >= 0.5 * min(n_before, n_after)


def _moments(table: Mapping[float, float]):
    n = int(sum(table.values()))
    total = sum(k * v for k, v in table.items())
    return n, stats.moments_from_sums(n, total, sum(k * k * v for k, v in table.items()))


def wave_change(
    scale: str, before: Mapping[float, float], after: Mapping[float, float], paired: Mapping | Sequence | None = None
) -> dict | None:
    """Change from the before wave to the after wave for one shared question.

    scale: "binary" (tables {1: yes, 0: no}), "ordinal" (Likert levels) or "numeric" (0-10, numbers).
    paired: None for independent samples; otherwise, for binary a 2x2 table
    [[yes->yes, yes->no], [no->yes, no->no]], for ordinal/numeric a table {after - before: pairs}.
    estimate/low/high are after - before (a share for binary, a mean difference otherwise).
    None when a wave has no answers.
    """
    n_before, n_after = int(sum(before.values())), int(sum(after.values()))
    if n_before == 0 or n_after == 0:
        return None
    out = {
        "scale": scale,
        "n_before": n_before,
        "n_after": n_after,
        "design": "paired" if paired is not None else "independent",
        "estimate": None,
        "low": None,
        "high": None,
        "p_value": None,
        "test": None,
        "n_pairs": None,
    }
    if scale == "binary":
        if paired is None:
            cmp = stats.two_proportion_ztest(after.get(1, 0), n_after, before.get(1, 0), n_before)
            out.update(test=cmp.method, estimate=cmp.estimate, low=cmp.low, high=cmp.high, p_value=cmp.p_value)
        else:
            (a, b), (c, d) = paired
            n = a + b + c + d
            cmp = stats.mcnemar([[a, b], [c, d]])
            if cmp is None:
                return out
            diff = (c - b) / n  # after - before: (no->yes - yes->no)/N
            se = math.sqrt(max((b + c) - (b - c) ** 2 / n, 0.0)) / n
            out.update(
                test=cmp.method,
                estimate=diff,
                low=diff - 1.959964 * se,
                high=diff + 1.959964 * se,
                p_value=cmp.p_value,
                n_pairs=int(n),
            )
        return out
    if paired is None:
        (n1, m1), (n0, m0) = _moments(after), _moments(before)
        welch = stats.welch_t(n1, m1[0], m1[1] or 0.0, n0, m0[0], m0[1] or 0.0)
        out["estimate"] = m1[0] - m0[0]
        if welch is not None:
            out.update(low=welch.low, high=welch.high)
        if scale == "ordinal":
            mw = stats.mann_whitney(after, before)
            out.update(test=mw.method, p_value=mw.p_value)
        elif welch is not None:
            out.update(test=welch.method, p_value=welch.p_value)
        return out
    diffs = {k: v for k, v in dict(paired).items() if v}
    n_pairs = int(sum(diffs.values()))
    if n_pairs == 0:
        return out
    pt = stats.paired_t(diffs)
    out.update(n_pairs=n_pairs, estimate=sum(k * v for k, v in diffs.items()) / n_pairs)
    if pt is not None:
        out.update(low=pt.low, high=pt.high)
    if scale == "ordinal":
        w = stats.wilcoxon_signed_rank(diffs)
        out.update(test=w.method, p_value=w.p_value)
    elif pt is not None:
        out.update(test=pt.method, p_value=pt.p_value)
    else:
        out.update(test="paired t", p_value=1.0 if all(k == 0 for k in diffs) else None)
    return out


def adjust_changes(changes: list[dict], alpha: float = 0.05) -> list[dict]:
    """Add Benjamini-Hochberg adjusted p-values and a 'significant' flag across questions."""
    fdr = stats.benjamini_hochberg([c.get("p_value") for c in changes], alpha)
    for c, adj, rej in zip(changes, fdr.adjusted, fdr.reject):
        c["p_adjusted"], c["significant"] = adj, rej
    return changes


# ---- exports ------------------------------------------------------------------


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def suppress_small(rows: list[dict], k: int, count_key: str = "n") -> list[dict]:
    """Rows whose count is below k keep their labels but lose every figure (privacy floor)."""
    out = []
    for row in rows:
        n = row.get(count_key)
        if n is not None and n < k:
            out.append(
                {
                    key: (val if key in ("dimension", "category", "label", "activity") else None)
                    for key, val in row.items()
                }
                | {"suppressed": True}
            )
        else:
            out.append(row)
    return out
