"""Report charts with matplotlib's Figure API (never pyplot, which keeps
figures alive in a server): bar charts with interval whiskers for survey
questions, and the helpers the programme report's charts share."""

from __future__ import annotations

import io
import textwrap

from ..analytics.charts import Figure, whiskers
from .content import QuestionBlock

BAR_COLOUR = "#2f6f73"
WHISKER_COLOUR = "#333333"


def tidy(axes) -> None:
    """Small tick labels and no top/right frame: the look of every report chart."""
    axes.tick_params(axis="both", labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def figure_bytes(figure: Figure, fmt: str = "png", tight: bool = True) -> bytes:
    """The figure as PNG (for PDFs) or SVG (for the print page). ``tight`` fits the
    margins to the labels, at the cost of drawing the figure one more time."""
    if tight:
        figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def question_png(block: QuestionBlock) -> bytes | None:
    rows = [
        r
        for r in block.rows
        if isinstance(r.share, (int, float)) and all(v is None or isinstance(v, (int, float)) for v in (r.low, r.high))
    ]
    if not rows:
        return None
    is_mean = rows[0].is_mean
    rows = [r for r in rows if r.is_mean == is_mean]
    scale = 1 if is_mean else 100
    labels = [textwrap.shorten(r.label, 40) for r in rows]
    values = [r.share * scale for r in rows]
    lows = [(r.low if r.low is not None else r.share) * scale for r in rows]
    highs = [(r.high if r.high is not None else r.share) * scale for r in rows]
    figure = Figure(figsize=(6.5, 0.45 * len(rows) + 0.8), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, values, xerr=whiskers(values, lows, highs), color=BAR_COLOUR, ecolor=WHISKER_COLOUR, capsize=3)
    axes.set_yticks(positions, labels, fontsize=8)
    if not is_mean:
        axes.set_xlim(0, 100)
        axes.set_xlabel("%", fontsize=8)
    tidy(axes)
    return figure_bytes(figure, "png")
