"""Trend charts as SVG with matplotlib's Figure API (never pyplot: it keeps
figures alive in a server). Labels are window keys and numbers only."""

from __future__ import annotations

import io

from ..analytics.charts import Figure

PERCENT_UNITS = {"share"}


def trend_svg(points: list[tuple[str, float | None]], unit: str) -> bytes:
    """A line over windows; windows without data are gaps, not zeros."""
    fig = Figure(figsize=(4.2, 2.2), dpi=100)
    ax = fig.add_subplot()
    labels = [p[0] for p in points]
    scale = 100.0 if unit in PERCENT_UNITS else 1.0
    values = [None if v is None else v * scale for _, v in points]
    xs = list(range(len(points)))
    ax.plot(xs, [float("nan") if v is None else v for v in values], marker="o", color="#1f5f8b", linewidth=2)
    ax.set_xticks(xs, labels, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    if unit in PERCENT_UNITS:
        ax.set_ylim(0, 100)
        ax.set_ylabel("%", fontsize=7)
    elif any(v is not None for v in values):
        ax.set_ylim(bottom=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()
