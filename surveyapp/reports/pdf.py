"""The survey report as a PDF, drawn with the blocks of the PDF base (surveyapp/pdf)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import charts
from ..pdf import Document, blocks
from .content import Report


def _fmt(row) -> tuple[str, str, str]:
    if row.share is None:
        return "—", "—", "—"
    if not isinstance(row.share, (int, float)):  # a date "mean" is an ISO date
        return ("" if row.count is None else f"{row.count:g}"), str(row.share), f"{row.low or ''} – {row.high or ''}"
    if row.is_mean:
        interval = f"{row.low:.2f} – {row.high:.2f}" if row.low is not None and row.high is not None else "—"
        return ("" if row.count is None else f"{row.count:g}"), f"{row.share:.2f}", interval
    interval = f"{row.low * 100:.1f} – {row.high * 100:.1f}%" if row.low is not None and row.high is not None else "—"
    return ("" if row.count is None else f"{row.count:g}"), f"{row.share * 100:.1f}%", interval


def render(report: Report) -> bytes:
    with force_locale(report.language):
        pdf = Document(report.title, report.organisation, footer_title=report.title)
        pdf.add_page()
        blocks.title_block(pdf, report.organisation, report.title)
        blocks.facts(pdf, report.facts)
        headers = (_("Answer"), _("n"), _("Share / mean"), _("%(p)d%% interval", p=95))
        align = ("LEFT", "RIGHT", "RIGHT", "RIGHT")
        for block in report.questions:
            answered = _("Answered by %(n)s", n=block.n) if block.n is not None else ""
            chart = charts.report_question(block.rows)
            rows = [(row.label, *_fmt(row)) for row in block.rows]
            # The heading stays with what comes first under it: the chart, else the table's start.
            if chart:
                first = blocks.image_size(pdf, chart)[1]
            elif rows:
                first = blocks.table_start_height(pdf, headers, rows)
            else:
                first = blocks.text_height(pdf, block.note)
            blocks.heading(pdf, f"{block.code} · {block.title}", keep=first + (5 if answered else 0))
            if answered:
                blocks.paragraph(pdf, answered)
            blocks.image(pdf, chart)
            blocks.table(pdf, headers, rows, align)
            if block.note:
                blocks.paragraph(pdf, block.note)
        blocks.heading(pdf, _("Methods"), keep=blocks.text_height(pdf, report.methods[0]) if report.methods else 0)
        for line in report.methods:
            blocks.paragraph(pdf, line)
    return pdf.bytes()
