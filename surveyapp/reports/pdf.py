"""The survey report as a PDF (fpdf2), with DejaVu Sans from matplotlib's
own font files so Indonesian text and symbols render without a CDN or a
system font."""
from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from .charts import question_png
from .content import Report

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _fmt(row) -> tuple[str, str, str]:
    if row.share is None:
        return "—", "—", "—"
    if not isinstance(row.share, (int, float)):  # a date "mean" is an ISO date
        return ("" if row.count is None else f"{row.count:g}"), str(row.share), f"{row.low or ''} – {row.high or ''}"
    if row.is_mean:
        interval = f"{row.low:.2f} – {row.high:.2f}" if row.low is not None and row.high is not None else "—"
        return ("" if row.count is None else f"{row.count:g}"), f"{row.share:.2f}", interval
    interval = (f"{row.low * 100:.1f} – {row.high * 100:.1f}%" if row.low is not None and row.high is not None else "—")
    return ("" if row.count is None else f"{row.count:g}"), f"{row.share * 100:.1f}%", interval


def render(report: Report) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(report.title)
    pdf.set_author(report.organisation)
    pdf.set_creator("Suara")
    with force_locale(report.language):
        pdf.add_page()
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 6, report.organisation, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 16)
        pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 10)
        for label, value in report.facts:
            pdf.set_font("DejaVu", "B", 10)
            pdf.cell(50, 6, label)
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        headers = (_("Answer"), _("n"), _("Share / mean"), _("%(p)d%% interval", p=95))
        for block in report.questions:
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 6, f"{block.code} · {block.title}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 9)
            if block.n is not None:
                pdf.cell(0, 5, _("Answered by %(n)s", n=block.n), new_x="LMARGIN", new_y="NEXT")
            image = question_png(block)
            if image:
                pdf.image(io.BytesIO(image), w=150)
            if block.rows:
                with pdf.table(col_widths=(70, 20, 30, 40), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                               first_row_as_headings=True) as table:
                    table.row(headers)
                    for row in block.rows:
                        table.row((row.label, *_fmt(row)))
            if block.note:
                pdf.multi_cell(0, 5, block.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, _("Methods"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for line in report.methods:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
