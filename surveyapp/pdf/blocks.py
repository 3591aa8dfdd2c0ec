"""The blocks a printed page is made of, each measured before it is placed:
title, heading (kept with the start of what follows it), paragraph, facts
(label / value pairs), image and table (measured column widths and row
heights, the heading row repeated after a page break).

Numbers are never split over two lines: a table column is at least as wide
as its widest number, and ``nowrap`` joins a number to its unit with
no-break spaces ("5 mnt 27 dtk", "12.000 orang")."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from PIL import Image

from .document import FONT, MUTED, Box, Document

NBSP = "\u00a0"
# A space between a number and a unit word of up to four letters, either way round.
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=[^\W\d_]{1,4}\b)|\b([^\W\d_]{1,4}) (?=\d)")
MIN_FOLLOW = 15.0  # mm: at least this much of what follows a heading goes on its page
IMAGE = "<image>"  # the text of an image's Box


def nowrap(text) -> str:
    """``text`` with the spaces inside "number unit" pairs made non-breaking."""
    return _NUMBER_UNIT.sub(lambda m: (m.group(1) or "") + NBSP, "" if text is None else str(text))


def line_height(size: float) -> float:
    """The line height (mm) for a font size (pt): 1.4 times the size."""
    return round(size * 0.3528 * 1.4, 2)


def text_height(pdf: Document, text: str, width: float = 0, size: float = 9, style: str = "") -> float:
    pdf.set_font(FONT, style, size)
    return pdf.lines(nowrap(text), width or pdf.text_width, line_height(size)) * line_height(size)


def title_block(pdf: Document, organisation: str, title: str) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 5, organisation, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def heading(pdf: Document, text: str, keep: float = 0, size: float = 11, space: float = 4) -> None:
    """A bold heading that never ends a page: when it and ``keep`` mm of the block
    after it (at least MIN_FOLLOW) do not fit, it starts the next page."""
    height = text_height(pdf, text, size=size, style="B")
    if not pdf.fits(space + height + max(keep, MIN_FOLLOW)):
        pdf.add_page()
    elif pdf.get_y() > pdf.t_margin + 0.01:
        pdf.ln(space)
    pdf.set_font(FONT, "B", size)
    pdf._heading_line = True
    try:
        pdf.multi_cell(0, line_height(size), text, align="L", new_x="LMARGIN", new_y="NEXT")
    finally:
        pdf._heading_line = False
    pdf.set_font(FONT, "", 9)


def paragraph(pdf: Document, text: str, size: float = 9, bold: bool = False, italic: bool = False) -> None:
    """Left-aligned text across the page (never justified: justified lines of a narrow
    column leave holes), numbers kept with their units."""
    pdf.set_font(FONT, ("B" if bold else "") + ("I" if italic else ""), size)
    pdf.multi_cell(0, line_height(size), nowrap(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def facts(pdf: Document, rows: Sequence[tuple[str, str]], size: float = 10) -> None:
    """Label / value pairs in two columns. The label column is as wide as the widest
    label (at most 40% of the page); a longer label wraps inside it, a long value
    inside its own column, and the row is as tall as the taller of the two, so a
    label never runs into its value."""
    line = line_height(size)
    pdf.set_font(FONT, "B", size)
    widest = max((pdf.get_string_width(label) for label, _value in rows), default=0)
    label_width = min(widest + 2 * pdf.c_margin + 3, pdf.text_width * 0.4)
    value_width = pdf.text_width - label_width
    for label, value in rows:
        value = nowrap(value)
        pdf.set_font(FONT, "B", size)
        label_lines = pdf.lines(label, label_width, line)
        pdf.set_font(FONT, "", size)
        value_lines = pdf.lines(value, value_width, line)
        height = max(label_lines, value_lines) * line
        if height < pdf.page_break_trigger - pdf.t_margin:
            pdf.keep(height)
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_font(FONT, "B", size)
        pdf.multi_cell(label_width, line, label, align="L", new_x="RIGHT", new_y="TOP")
        pdf.set_xy(x + label_width, y)
        pdf.set_font(FONT, "", size)
        pdf.multi_cell(value_width, line, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(x, y + height)
    pdf.set_font(FONT, "", 9)


def image_size(pdf: Document, png: bytes, width: float | None = None) -> tuple[float, float]:
    """The printed size (mm) of a PNG: its own size at its own dpi (charts are drawn
    at the size they print, see charts.py), or ``width``; never wider than the page."""
    with Image.open(io.BytesIO(png)) as picture:
        pixels_w, pixels_h = picture.size
        dpi = float((picture.info.get("dpi") or (96, 96))[0]) or 96.0
    natural = pixels_w / dpi * 25.4
    shown = min(width or natural, pdf.text_width)
    return shown, shown * pixels_h / pixels_w


def image(pdf: Document, png: bytes | None, width: float | None = None) -> None:
    """An image on one page (a new page when it does not fit), then a small gap."""
    if not png:
        return
    shown, height = image_size(pdf, png, width)
    pdf.keep(height)
    x, y = pdf.l_margin, pdf.get_y()
    pdf.image(io.BytesIO(png), x=x, y=y, w=shown, h=height)
    pdf.boxes.append(Box(pdf.page, x, y, x + shown, y + height, IMAGE))
    pdf.set_y(pdf.get_y() + height + 1)


# ---- tables ---------------------------------------------------------------------------


def _cells(row) -> list[str]:
    return [nowrap(cell) for cell in row]


def column_widths(pdf: Document, headers: list[str], rows: list[list[str]], size: float) -> list[float]:
    """Widths (mm) that fill the page: every column at least as wide as its widest word or
    number (so neither is broken), the room left shared in proportion to what each
    column's longest text would need on one line."""
    pad = 2 * pdf.c_margin + 0.5
    least, want = [], []
    for i, header in enumerate(headers):
        pdf.set_font(FONT, "B", size)
        words = [pdf.get_string_width(word) for word in header.split()] or [0.0]
        pdf.set_font(FONT, "", size)
        texts = [row[i] for row in rows if i < len(row)]
        tokens = {token for text in texts for token in text.split(" ")}
        least.append(max(max(words), max((pdf.get_string_width(t) for t in tokens), default=0)) + pad)
        want.append(max(least[-1], max((pdf.get_string_width(t) for t in texts), default=0) + pad))
    total = pdf.text_width
    if sum(want) <= total:
        return [w + (total - sum(want)) * w / sum(want) for w in want]
    if sum(least) <= total:
        stretch = [w - low for w, low in zip(want, least)]
        return [low + (total - sum(least)) * s / (sum(stretch) or 1) for low, s in zip(least, stretch)]
    return [low * total / sum(least) for low in least]


def _row_lines(pdf: Document, cells: list[str], widths: list[float], line: float) -> list[int]:
    return [pdf.lines(text, w, line) for text, w in zip(cells, widths)]


def _row_height(pdf: Document, cells: list[str], widths: list[float], line: float) -> float:
    return max(_row_lines(pdf, cells, widths, line)) * line + 0.8


def _draw_row(
    pdf: Document, cells: list[str], widths: list[float], align: list[str], line: float, lines: list[int]
) -> None:
    """One row of cells taking ``lines`` lines each, then a thin rule under it. A cell on
    one line (most of them) is drawn with cell(), several times cheaper than multi_cell()."""
    x, y = pdf.l_margin, pdf.get_y()
    for text, w, a, n in zip(cells, widths, align, lines):
        pdf.set_xy(x, y + 0.4)
        if n == 1:
            pdf.cell(w, line, text, align=a[0])
        else:
            pdf.multi_cell(w, line, text, align=a[0], new_x="RIGHT", new_y="TOP")
        x += w
    bottom = y + max(lines) * line + 0.8
    pdf.set_draw_color(180, 180, 180)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, bottom)


def table_start_height(pdf: Document, headers, rows, size: float = 9) -> float:
    """The height of a table's heading row and first row: what a heading keeps with it."""
    headers, rows = [str(h) for h in headers], [_cells(r) for r in rows[:1]]
    widths = column_widths(pdf, headers, rows, size)
    line = line_height(size)
    pdf.set_font(FONT, "B", size)
    height = _row_height(pdf, headers, widths, line)
    pdf.set_font(FONT, "", size)
    return height + (_row_height(pdf, rows[0], widths, line) if rows else 0)


def table(pdf: Document, headers, rows, align: Sequence[str] | None = None, size: float = 9) -> None:
    """A table with a bold heading row, repeated at the top of every page it runs on.
    ``align`` per column: "LEFT" or "RIGHT"."""
    if not rows:
        return
    headers = [str(h) for h in headers]
    cells = [_cells(row) for row in rows]
    align = list(align or ["LEFT"] * len(headers))
    widths = column_widths(pdf, headers, cells, size)
    line = line_height(size)

    def head() -> None:
        pdf.set_font(FONT, "B", size)
        _draw_row(pdf, headers, widths, align, line, _row_lines(pdf, headers, widths, line))
        pdf.set_font(FONT, "", size)

    pdf.set_font(FONT, "B", size)
    first = _row_height(pdf, headers, widths, line)
    pdf.set_font(FONT, "", size)
    pdf.keep(first + _row_height(pdf, cells[0], widths, line))
    head()
    for row in cells:
        lines = _row_lines(pdf, row, widths, line)
        if not pdf.fits(max(lines) * line + 0.8):
            pdf.add_page()
            head()  # the heading row again at the top of each page the table runs on
        _draw_row(pdf, row, widths, align, line, lines)
    pdf.ln(1)
    pdf.set_font(FONT, "", 9)
