"""surveyapp/charts.py, the one chart module: every kind renders as PNG and SVG
in the one palette and at the one width, and a long label is wrapped, never
cut and never widens the chart."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from PIL import Image

from surveyapp import charts

LONG = "Perbaikan saluran air dan pencegahan banjir di seluruh wilayah kelurahan"
CELL = {"p": 0.4, "low": 0.3, "high": 0.5, "count": 4}
KINDS = {
    "bars": lambda fmt: charts.bars(["A", LONG], [40.0, None], [30.0, None], [50.0, None], fmt=fmt),
    "columns": lambda fmt: charts.columns(["1–2", "3–4"], [3, 5], fmt),
    "trend": lambda fmt: charts.trend([("2026-Q1", None), ("2026-Q2", 0.3), ("2026-Q3", 0.4)], "share", fmt),
    "representation": lambda fmt: charts.representation(
        [{"dimension": "age_band", "category": "under_18", "index": 0.4}, {"dimension": "g", "category": "f"}],
        0.8,
        fmt,
    ),
    "share_bars": lambda fmt: charts.share_bars([CELL, {"p": None}], ["Ya", "$x^2$ and $\\foo"], fmt),
    "histogram": lambda fmt: charts.histogram(
        [{"low": 1, "high": 1, "count": 2}, {"low": 2.5, "high": 9.75, "count": 0}], fmt
    ),
    "count_bars": lambda fmt: charts.count_bars(["banjir", "parkir"], [8, 12], fmt),
    "counts_over_time": lambda fmt: charts.counts_over_time(
        [{"period": f"2026-07-{d:02d}", "count": d} for d in range(1, 20)], fmt
    ),
    "report_question": lambda fmt: charts.report_question(
        [SimpleNamespace(label=LONG, share=0.4, low=0.0, high=0.5, is_mean=False, count=4)], fmt
    ),
}
FAMILIES = [
    {"family": "choice", "n": 5, "options": [{**CELL, "label": "A"}]},
    {"family": "multi", "n": 5, "options": [{**CELL, "label": "A"}]},
    {"family": "scale", "n": 5, "distribution": [{**CELL, "label": "Agree"}]},
    {"family": "matrix", "n": 5, "items": [{"label": "Row", "top2": CELL}]},
    {"family": "rating", "n": 5, "distribution": [{**CELL, "value": 7}]},
    {"family": "ranking", "n": 5, "options": [{"label": "A", "first": CELL}]},
    {"family": "number", "n": 5, "histogram": [{"low": 1, "high": 3, "count": 5}]},
    {"family": "date", "n": 5, "histogram": [{"low": "2026-01-01", "high": "2026-01-01", "count": 5}]},
    {"family": "text", "n": 5, "words": {"items": [{"word": "banjir", "count": 3}]}},
]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_png_and_svg_at_the_one_width(kind):
    png = KINDS[kind]("png")
    assert png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as picture:
        width = picture.size[0] / picture.info["dpi"][0]
    # Labels included, a chart is WIDTH inches (tight cropping takes a little off).
    assert charts.WIDTH * 0.85 <= width <= charts.WIDTH * 1.05, width
    svg = KINDS[kind]("svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert set(re.findall(r"font-size: ([\d.]+)px", svg)) == {str(charts.FONT_SIZE)}
    colours = {c.lower() for c in re.findall(r"fill: (#[0-9a-fA-F]{6})", svg)} - {"#ffffff"}
    assert colours <= {c.lower() for c in charts.PALETTE.values()}, colours


@pytest.mark.parametrize("entry", FAMILIES, ids=[e["family"] for e in FAMILIES])
def test_a_chart_for_every_question_family(entry):
    assert charts.question_chart(entry).lstrip().startswith(b"<?xml")
    assert charts.question_chart({**entry, "suppressed": True}) is None


def test_a_long_label_is_wrapped_not_cut():
    svg = charts.bars([LONG], [40.0]).decode()
    shown = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))  # a <text> per line
    for word in LONG.split():
        assert word in shown, word
    assert charts.label("x" * 200).count("\n") == charts.LABEL_LINES - 1  # only an absurd label loses its end


def test_nothing_to_draw_is_none():
    assert charts.trend([("2026-Q1", None)], "share") is None
    assert charts.representation([{"dimension": "g", "category": "f"}], 0.8) is None
    assert charts.report_question([]) is None
    assert charts.question_chart({"family": "choice", "n": 0, "options": []}) is None
