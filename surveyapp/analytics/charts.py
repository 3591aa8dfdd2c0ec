"""SVG charts of summary entries with matplotlib's Figure API (never pyplot,
which keeps figures alive in a server). Input is a question entry of the
summary document, so a chart never shows what its table does not.

The one place matplotlib is set up for the server: the other chart modules
import ``Figure`` and ``whiskers`` from here."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
# Labels are organisers' and residents' words, never formulas: "$x^2$" must print as
# typed, and mathtext raises on "$\\foo$" or a lone "$". Set process-wide, here, because
# every chart module (programmes, reports) takes its Figure from this module, and tick
# labels read the setting when matplotlib creates them.
matplotlib.rcParams["text.parse_math"] = False
from matplotlib.figure import Figure  # noqa: E402 (after the backend and the setting above)

BAR = "#1d6b57"
ERR = "#333333"
RC = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def whiskers(points: list[float], lows: list[float], highs: list[float]) -> list[list[float]]:
    """The ``xerr`` of bars at ``points`` with intervals [low, high], clamped at 0.

    An interval's end can lie a rounding error past its point (Wilson's low end
    of 0/12 is 2.8e-17), and matplotlib refuses any negative error length."""
    return [[max(0.0, p - low) for p, low in zip(points, lows)], [max(0.0, high - p) for p, high in zip(points, highs)]]


def _label(text, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(text), width)[:3]) or "—"


def share_bars(cells: list[dict], labels: list[str], title: str | None = None) -> bytes:
    """Horizontal bars of shares (%) with their 95% intervals; hidden cells
    (suppressed, or no data) are left empty."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 0.45 * max(len(cells), 2) + 0.8))
        ax = fig.add_subplot()
        ys = list(range(len(cells)))[::-1]
        for y, cell in zip(ys, cells):
            if cell.get("p") is None:
                continue
            p, low, high = 100 * cell["p"], 100 * cell["low"], 100 * cell["high"]
            ax.barh(y, p, color=BAR, height=0.6)
            ax.errorbar(p, y, xerr=whiskers([p], [low], [high]), fmt="none", ecolor=ERR, capsize=3, linewidth=1)
        ax.set_yticks(ys, [_label(x) for x in labels])
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
        if title:
            ax.set_title(title)
        return _svg(fig)


def histogram(bins: list[dict]) -> bytes:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 3))
        ax = fig.add_subplot()
        xs = list(range(len(bins)))
        ax.bar(xs, [b["count"] or 0 for b in bins], color=BAR)
        ax.set_xticks(
            xs,
            [
                _label(b["low"] if b["low"] == b["high"] else f"{_short(b['low'])}–{_short(b['high'])}", 10)
                for b in bins
            ],
            rotation=45,
            ha="right",
        )
        ax.set_ylabel("n")
        return _svg(fig)


def count_bars(labels: list[str], counts: list[int]) -> bytes:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 0.4 * max(len(labels), 2) + 0.8))
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        ax.barh(ys, counts, color=BAR, height=0.6)
        ax.set_yticks(ys, [_label(x) for x in labels])
        ax.set_xlabel("n")
        return _svg(fig)


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def counts_over_time(points: list[dict]) -> bytes:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        xs = list(range(len(points)))
        ax.bar(xs, [p["count"] or 0 for p in points], color=BAR)
        step = max(1, len(points) // 8)
        ax.set_xticks(xs[::step], [p["period"] for p in points][::step], rotation=45, ha="right")
        ax.set_ylabel("n")
        return _svg(fig)


def question_chart(entry: dict) -> bytes | None:
    """The chart of one question entry; None when it has nothing to draw."""
    family = entry.get("family")
    if entry.get("suppressed") or not entry.get("n"):
        return None
    if family in ("choice", "multi"):
        return share_bars(entry["options"], [o["label"] for o in entry["options"]])
    if family == "scale":
        return share_bars(entry["distribution"], [d["label"] for d in entry["distribution"]])
    if family == "matrix":
        items = [i for i in entry["items"] if i.get("top2")]
        return share_bars([i["top2"] for i in items], [i["label"] for i in items]) if items else None
    if family == "rating":
        return share_bars(entry["distribution"], [str(d["value"]) for d in entry["distribution"]])
    if family == "ranking":
        return share_bars([o["first"] for o in entry["options"]], [o["label"] for o in entry["options"]])
    if family in ("number", "date"):
        return histogram(entry["histogram"]) if entry["histogram"] else None
    if family == "text":
        words = (entry.get("words") or {}).get("items") or []
        return count_bars([w["word"] for w in words[:12]], [w["count"] for w in words[:12]]) if words else None
    return None
