"""PDF building blocks shared by the survey and programme reports (fpdf2):
an A4 document with DejaVu Sans from matplotlib's own font files (so
Indonesian text and symbols render without a CDN or a system font), and
the few elements a report is made of."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"


def new_document(title: str, author: str) -> FPDF:
    """An A4 document with the report fonts registered and its first page added."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Suara")
    pdf.add_page()
    return pdf


def title_block(pdf: FPDF, organisation: str, title: str) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, organisation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def facts(pdf: FPDF, rows, label_width: float = 50) -> None:
    """Label / value lines; a long value wraps under itself."""
    for label, value in rows:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, 6, label)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def heading(pdf: FPDF, text: str, size: int = 11, space: float = 4) -> None:
    pdf.ln(space)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def paragraph(pdf: FPDF, text: str, size: int = 9, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def image(pdf: FPDF, png: bytes | None, width: float = 150) -> None:
    if png:
        pdf.image(io.BytesIO(png), w=width)


def table(pdf: FPDF, headers, rows, widths, align=None, size: int = 9) -> None:
    """A table with a heading row; ``align`` per column ("LEFT"/"RIGHT")."""
    if not rows:
        return
    pdf.set_font(FONT, "", size)
    with pdf.table(
        col_widths=tuple(widths), text_align=tuple(align or ["LEFT"] * len(widths)), first_row_as_headings=True
    ) as grid:
        grid.row([str(h) for h in headers])
        for row in rows:
            grid.row(["" if cell is None else str(cell) for cell in row])


def _row(pdf: FPDF, cells: list[str], widths, align, line: float) -> None:
    """One row: a single line where every cell fits (the common case, and cheap),
    wrapped cells otherwise; a thin rule under it."""
    room = [w - 2 * pdf.c_margin for w in widths]
    lines = [
        1 if pdf.get_string_width(text) <= space else len(pdf.multi_cell(w, line, text, dry_run=True, output="LINES"))
        for text, w, space in zip(cells, widths, room)
    ]
    x, y = pdf.l_margin, pdf.get_y()
    for text, w, a, n in zip(cells, widths, align, lines):
        pdf.set_xy(x, y)
        if n == 1:
            pdf.cell(w, line, text, align=a[0])
        else:
            pdf.multi_cell(w, line, text, align=a[0], new_x="RIGHT", new_y="TOP")
        x += w
    bottom = y + max(lines) * line
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
    pdf.set_xy(pdf.l_margin, bottom + 0.4)


def plain_table(pdf: FPDF, headers, rows, widths, align=None, size: int = 8) -> None:
    """A table with a bold heading row repeated after a page break, drawn with
    cell() where text fits on one line: far cheaper than fpdf2's ``table()``
    (which measures every cell twice), for reports with hundreds of cells."""
    if not rows:
        return
    align = list(align or ["LEFT"] * len(widths))
    line = size * 0.5
    headers = [str(h) for h in headers]

    def head() -> None:
        pdf.set_font(FONT, "B", size)
        _row(pdf, headers, widths, align, line)
        pdf.set_font(FONT, "", size)

    head()
    for row in rows:
        cells = ["" if cell is None else str(cell) for cell in row]
        longest = max(
            len(pdf.multi_cell(w, line, t, dry_run=True, output="LINES"))
            if pdf.get_string_width(t) > w - 2 * pdf.c_margin
            else 1
            for t, w in zip(cells, widths)
        )
        if pdf.will_page_break(longest * line + 0.4):
            pdf.add_page()
            head()
        _row(pdf, cells, widths, align, line)
    pdf.set_font(FONT, "", 9)


def methods(pdf: FPDF, title: str, lines) -> None:
    pdf.ln(6)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for line in lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
