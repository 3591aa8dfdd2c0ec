"""PNG bar charts with interval whiskers (matplotlib Figure API, never pyplot)."""
from __future__ import annotations

import io
import textwrap

from matplotlib.figure import Figure

from .content import QuestionBlock


def question_png(block: QuestionBlock) -> bytes | None:
    rows = [r for r in block.rows if isinstance(r.share, (int, float))
            and all(v is None or isinstance(v, (int, float)) for v in (r.low, r.high))]
    if not rows:
        return None
    is_mean = rows[0].is_mean
    rows = [r for r in rows if r.is_mean == is_mean]
    scale = 1 if is_mean else 100
    labels = [textwrap.shorten(r.label, 40) for r in rows]
    values = [r.share * scale for r in rows]
    lows = [max(0.0, (r.share - (r.low if r.low is not None else r.share)) * scale) for r in rows]
    highs = [max(0.0, ((r.high if r.high is not None else r.share) - r.share) * scale) for r in rows]
    figure = Figure(figsize=(6.5, 0.45 * len(rows) + 0.8), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, values, xerr=[lows, highs], color="#2f6f73", ecolor="#333333", capsize=3)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    if not is_mean:
        axes.set_xlim(0, 100)
        axes.set_xlabel("%", fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
