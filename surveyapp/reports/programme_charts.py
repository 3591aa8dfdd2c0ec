"""Charts of the programme report (Figure API): a metric's trend over the
windows, and the representation index per group. Labels are window keys,
group codes and numbers only, so a chart reads the same in both languages;
every chart is printed with its table beside it."""

from __future__ import annotations

import math
import textwrap

from .charts import BAR_COLOUR, Figure, figure_bytes, tidy

PERCENT_UNITS = {"share"}
LINE_COLOUR = "#1f5f8b"
UNDER_COLOUR = "#b5542b"


def trend(points: list[tuple[str, float | None]], unit: str, fmt: str = "png") -> bytes | None:
    """A line over windows, oldest first; a window without data is a gap, never 0.
    None when no window has data."""
    if all(value is None for _, value in points):
        return None
    scale = 100.0 if unit in PERCENT_UNITS else 1.0
    values = [float("nan") if value is None else value * scale for _, value in points]
    figure = Figure(figsize=(5.0, 2.2), dpi=100)
    # Fixed margins: the labels are short window keys and numbers, so there is no need
    # to pay for tight_layout's extra drawing pass on each of the report's trend charts.
    figure.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.95)
    axes = figure.add_subplot()
    xs = list(range(len(points)))
    axes.plot(xs, values, marker="o", color=LINE_COLOUR, linewidth=2)
    axes.set_xticks(xs, [key for key, _ in points])
    if unit in PERCENT_UNITS:
        axes.set_ylim(0, 100)
        axes.set_ylabel("%", fontsize=8)
    else:
        axes.set_ylim(bottom=min(0.0, min(v for v in values if not math.isnan(v))))
    tidy(axes)
    return figure_bytes(figure, fmt, tight=False)


def representation(rows: list[dict], threshold: float, fmt: str = "png") -> bytes | None:
    """Horizontal bars of the representation index per group, with the lines
    at 1 (proportional) and at the threshold. Suppressed rows are left out
    (they have no index). None when no row has an index."""
    rows = [r for r in rows if r.get("index") is not None]
    if not rows:
        return None
    labels = [textwrap.shorten(f"{r['dimension']}: {r['category']}", 34) for r in rows]
    figure = Figure(figsize=(6.5, 0.28 * len(rows) + 0.9), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    colours = [UNDER_COLOUR if r["index"] < threshold else BAR_COLOUR for r in rows]
    axes.barh(positions, [r["index"] for r in rows], color=colours)
    axes.axvline(1.0, color="#333333", linewidth=1)
    axes.axvline(threshold, color=UNDER_COLOUR, linewidth=1, linestyle="--")
    axes.set_yticks(positions, labels, fontsize=7)
    axes.set_xlim(0, max(1.5, max(r["index"] for r in rows) * 1.05))
    tidy(axes)
    return figure_bytes(figure, fmt)
