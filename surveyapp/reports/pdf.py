"""The survey report as a PDF (fpdf2), built from the blocks of layout.py."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from . import layout
from .charts import question_png
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
    pdf = layout.new_document(report.title, report.organisation)
    with force_locale(report.language):
        layout.title_block(pdf, report.organisation, report.title)
        layout.facts(pdf, report.facts)
        headers = (_("Answer"), _("n"), _("Share / mean"), _("%(p)d%% interval", p=95))
        for block in report.questions:
            layout.heading(pdf, f"{block.code} · {block.title}")
            if block.n is not None:
                pdf.cell(0, 5, _("Answered by %(n)s", n=block.n), new_x="LMARGIN", new_y="NEXT")
            layout.image(pdf, question_png(block))
            layout.table(
                pdf,
                headers,
                [(row.label, *_fmt(row)) for row in block.rows],
                (70, 20, 30, 40),
                ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
            )
            if block.note:
                layout.paragraph(pdf, block.note)
        layout.methods(pdf, _("Methods"), report.methods)
    return layout.output(pdf)
