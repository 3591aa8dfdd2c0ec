"""Every chart of Suara, drawn with matplotlib's Figure API on the Agg backend
(never pyplot, which keeps figures alive in a server): the results pages'
SVGs, the dashboard's trend SVGs and the PNGs of the two PDF reports.

One look for all of them, set here once:
- one palette, Okabe & Ito's colour-blind-safe set, using only colours with at
  least 3:1 contrast on white (the WCAG ratio for graphics) and ink text;
- one size policy: a chart is ``WIDTH`` inches wide, labels included (a
  constrained layout), the size the PDFs print it at, with ``FONT_SIZE`` pt
  text. The pages stretch an SVG to the width of its column (results.css):
  on a 360 px phone that is about 270 px for 252 pt, so 12 pt text is about
  13 px there (at 4 inches and 11 pt, 10 px: hard to read);
- bar labels sit above their bars, across the chart's whole width (not in a
  narrow column beside it), wrapped and never cut; every figure has a
  constrained layout, which fits all its labels inside the image.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

import matplotlib
from cycler import cycler

matplotlib.use("Agg")
# Labels are organisers' and residents' words, never formulas: "$x^2$" must print as
# typed, and mathtext raises on "$\\foo$" or a lone "$". Set process-wide, here, before any
# Figure exists, because tick labels read the setting when matplotlib creates them.
matplotlib.rcParams["text.parse_math"] = False
from matplotlib.figure import Figure  # noqa: E402 (after the backend and the setting above)

# Okabe & Ito (2008). Orange, sky blue and yellow are left out: under 3:1 on white.
PALETTE = {
    "bar": "#0072B2",  # blue, 5.1:1
    "line": "#0072B2",
    "alert": "#D55E00",  # vermillion, 3.6:1: a group under its threshold
    "ink": "#222222",  # whiskers, reference lines, text
    "grid": "#D0D0D0",
}
WIDTH = 3.5  # inches: the printed width; see the size policy above
FONT_SIZE = 12  # pt, every text of a chart
PNG_DPI = 150  # sharp enough on paper; pixels are what a PNG costs to draw
LABEL_CHARS = 32  # a wrapped label's line length (the chart's width at FONT_SIZE); at most LABEL_LINES lines
LABEL_LINES = 3
PERCENT_UNITS = {"share"}

# Any keys: matplotlib's stubs type rc_context's keys as a Literal of every rc name.
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # SVG text stays text (selectable, scales with the page)
    "svg.hashsalt": "suara",  # the same chart gives the same bytes (cache-friendly)
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "axes.prop_cycle": cycler(color=[PALETTE["bar"]]),  # no stray default blue
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": PALETTE["ink"],
    "text.color": PALETTE["ink"],
    "axes.labelcolor": PALETTE["ink"],
    "xtick.color": PALETTE["ink"],
    "ytick.color": PALETTE["ink"],
}


def label(text, width: int = LABEL_CHARS) -> str:
    """A label wrapped onto at most LABEL_LINES lines; only a label longer than
    that loses its end, marked with an ellipsis."""
    lines = textwrap.wrap(str(text), width) or ["—"]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = textwrap.shorten(lines[-1] + " …", width, placeholder=" …")
    return "\n".join(lines)


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), layout="constrained")


def save(figure: Figure, fmt: str = "svg") -> bytes:
    """The figure as SVG (pages) or PNG (PDFs). Its constrained layout has already
    fitted every label inside it, so no second cropping pass (bbox_inches="tight")
    is needed: the image is WIDTH inches wide, labels included."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else None
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return buffer.getvalue()


def whiskers(points: list[float], lows: list[float], highs: list[float]) -> list[list[float]]:
    """The ``xerr`` of bars at ``points`` with intervals [low, high], clamped at 0.

    An interval's end can lie a rounding error past its point (Wilson's low end
    of 0/12 is 2.8e-17), and matplotlib refuses any negative error length."""
    return [[max(0.0, p - low) for p, low in zip(points, lows)], [max(0.0, high - p) for p, high in zip(points, highs)]]


# ---- the kinds of chart -------------------------------------------------------------


def _labelled_bars(
    labels: list[str], values: list[float | None], colours: list[str], bar: float = 0.2, gap: float = 0.14
):
    """A figure of horizontal bars, first on top, each with its wrapped label above it
    from the left edge. The y axis counts inches from the bottom, so a row is exactly
    as tall as its own label (a line of FONT_SIZE text is 0.2 in), its ``bar`` and ``gap``."""
    wrapped = [label(text) for text in labels]
    heights = [0.2 * (text.count("\n") + 1) + 0.04 + bar + gap for text in wrapped]
    total = sum(heights)
    figure = _figure(0.55 + total)
    axes = figure.add_subplot()
    ys, top = [], total
    for text, value, colour, height in zip(wrapped, values, colours, heights):
        y = top - height + gap / 2 + bar / 2  # the bar's centre
        if value is not None:
            axes.barh(y, value, color=colour, height=bar)
        # A light backing keeps a label readable where a reference line crosses it.
        axes.text(
            0,
            y + bar / 2 + 0.04,
            text,
            transform=axes.get_yaxis_transform(),
            va="bottom",
            ha="left",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.5},
        )
        ys.append(y)
        top -= height
    axes.set_yticks([])
    axes.set_ylim(0, total)
    return figure, axes, ys


def bars(
    labels: list[str],
    values: list[float | None],
    lows: list[float | None] | None = None,
    highs: list[float | None] | None = None,
    *,
    percent: bool = True,
    axis_label: str | None = None,
    fmt: str = "svg",
) -> bytes:
    """Horizontal bars, first label on top, with interval whiskers when given. A
    None value leaves its row empty (suppressed, or no data). ``percent`` fixes
    the axis at 0–100 %."""
    with matplotlib.rc_context(STYLE):
        figure, axes, ys = _labelled_bars(labels, values, [PALETTE["bar"]] * len(values))
        for i, (y, value) in enumerate(zip(ys, values)):
            low = lows[i] if lows else None
            high = highs[i] if highs else None
            if value is not None and low is not None and high is not None:
                axes.errorbar(
                    value,
                    y,
                    xerr=whiskers([value], [low], [high]),
                    fmt="none",
                    ecolor=PALETTE["ink"],
                    capsize=3,
                    linewidth=1,
                )
        if percent:
            axes.set_xlim(0, 100)
        axes.set_xlabel(axis_label if axis_label is not None else ("%" if percent else ""))
        return save(figure, fmt)


def columns(labels: list[str], counts: list[float], fmt: str = "svg", every: int = 1) -> bytes:
    """Vertical bars of counts (a histogram, responses per day); every ``every``-th
    label is shown, slanted, so they never run into each other."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.8)
        axes = figure.add_subplot()
        xs = list(range(len(labels)))
        axes.bar(xs, counts, color=PALETTE["bar"])
        axes.set_xticks(xs[::every], [label(text, 12) for text in labels][::every], rotation=45, ha="right")
        axes.set_ylabel("n")
        return save(figure, fmt)


def trend(points: list[tuple[str, float | None]], unit: str, fmt: str = "svg") -> bytes | None:
    """A line over windows, oldest first; a window without data is a gap, never 0.
    None when no window has data."""
    if all(value is None for _key, value in points):
        return None
    scale = 100.0 if unit in PERCENT_UNITS else 1.0
    values = [float("nan") if value is None else value * scale for _key, value in points]
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.4)
        axes = figure.add_subplot()
        xs = list(range(len(points)))
        axes.plot(xs, values, marker="o", color=PALETTE["line"], linewidth=2)
        # Window keys are 7 characters ("2026-Q3"): slanted when more than four share the width.
        axes.set_xticks(xs, [key for key, _value in points], rotation=30 if len(points) > 4 else 0, ha="right")
        if unit in PERCENT_UNITS:
            axes.set_ylim(0, 100)
            axes.set_ylabel("%")
        else:
            axes.set_ylim(bottom=min(0.0, min(v for v in values if not math.isnan(v))))
        return save(figure, fmt)


def representation(rows: list[dict], threshold: float, fmt: str = "svg") -> bytes | None:
    """Horizontal bars of the representation index per group, with the lines at 1
    (proportional) and at the threshold; a group under it in the alert colour.
    Suppressed rows (no index) are left out; None when no row has an index."""
    rows = [r for r in rows if r.get("index") is not None]
    if not rows:
        return None
    with matplotlib.rc_context(STYLE):
        colours = [PALETTE["alert"] if r["index"] < threshold else PALETTE["bar"] for r in rows]
        # Thin rows: twenty groups still fit one page.
        figure, axes, _ys = _labelled_bars(
            [f"{r['dimension']}: {r['category']}" for r in rows], [r["index"] for r in rows], colours, 0.13, 0.05
        )
        axes.axvline(1.0, color=PALETTE["ink"], linewidth=1)
        axes.axvline(threshold, color=PALETTE["alert"], linewidth=1, linestyle="--")
        axes.set_xlim(0, max(1.5, max(r["index"] for r in rows) * 1.05))
        return save(figure, fmt)


# ---- from the summary document and the report's question blocks ----------------------------


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def share_bars(cells: list[dict], labels: list[str], fmt: str = "svg") -> bytes:
    """Shares (%) of summary cells with their 95% intervals; a hidden cell has no bar."""
    shown = [cell.get("p") is not None for cell in cells]
    return bars(
        labels,
        [100 * c["p"] if ok else None for c, ok in zip(cells, shown)],
        [100 * c["low"] if ok else None for c, ok in zip(cells, shown)],
        [100 * c["high"] if ok else None for c, ok in zip(cells, shown)],
        fmt=fmt,
    )


def histogram(bins: list[dict], fmt: str = "svg") -> bytes:
    names = [str(b["low"]) if b["low"] == b["high"] else f"{_short(b['low'])}–{_short(b['high'])}" for b in bins]
    return columns(names, [b["count"] or 0 for b in bins], fmt)


def count_bars(labels: list[str], counts: list[int], fmt: str = "svg") -> bytes:
    return bars(labels, [float(c) for c in counts], percent=False, axis_label="n", fmt=fmt)


def counts_over_time(points: list[dict], fmt: str = "svg") -> bytes:
    return columns(
        [p["period"] for p in points], [p["count"] or 0 for p in points], fmt, every=max(1, len(points) // 8)
    )


def question_chart(entry: dict, fmt: str = "svg") -> bytes | None:
    """The chart of one question entry of the summary document; None when it has
    nothing to draw. Its input is the entry, so a chart never shows what its table does not."""
    family = entry.get("family")
    if entry.get("suppressed") or not entry.get("n"):
        return None
    if family in ("choice", "multi"):
        return share_bars(entry["options"], [o["label"] for o in entry["options"]], fmt)
    if family == "scale":
        return share_bars(entry["distribution"], [d["label"] for d in entry["distribution"]], fmt)
    if family == "matrix":
        items = [i for i in entry["items"] if i.get("top2")]
        return share_bars([i["top2"] for i in items], [i["label"] for i in items], fmt) if items else None
    if family == "rating":
        return share_bars(entry["distribution"], [str(d["value"]) for d in entry["distribution"]], fmt)
    if family == "ranking":
        return share_bars([o["first"] for o in entry["options"]], [o["label"] for o in entry["options"]], fmt)
    if family in ("number", "date"):
        return histogram(entry["histogram"], fmt) if entry["histogram"] else None
    if family == "text":
        words = (entry.get("words") or {}).get("items") or []
        return count_bars([w["word"] for w in words[:12]], [w["count"] for w in words[:12]], fmt) if words else None
    return None


def report_question(rows, fmt: str = "png") -> bytes | None:
    """Bars of a survey report's question rows (reports.content.Row: shares 0..1, or
    means) with their intervals; None when no row has a number to draw."""
    rows = [
        r
        for r in rows
        if isinstance(r.share, (int, float)) and all(v is None or isinstance(v, (int, float)) for v in (r.low, r.high))
    ]
    if not rows:
        return None
    is_mean = rows[0].is_mean
    rows = [r for r in rows if r.is_mean == is_mean]
    scale = 1 if is_mean else 100
    return bars(
        [r.label for r in rows],
        [r.share * scale for r in rows],
        [(r.low if r.low is not None else r.share) * scale for r in rows],
        [(r.high if r.high is not None else r.share) * scale for r in rows],
        percent=not is_mean,
        fmt=fmt,
    )
