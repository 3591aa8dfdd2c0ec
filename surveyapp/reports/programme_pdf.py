"""The programme report as a PDF, from the blocks of layout.py (the survey
report's fonts and elements) and the PNG charts of programme_charts.py."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from . import layout
from .programme_content import ProgrammeReport, Table, headline_table

PAGE_WIDTH = 190  # A4 minus the 10 mm margins


def _widths(table: Table) -> list[float]:
    """Column widths in proportion to their longest word of the heading and longest
    cell (within bounds), so headings do not break inside a word; together the page width."""

    def need(i: int) -> int:
        words = [len(w) for w in str(table.headers[i]).split()] or [0]
        cells = [len(str(row[i])) for row in table.rows if i < len(row)] or [0]
        return min(max(max(words) + 1, max(cells), 4), 40)

    weights = [need(i) for i in range(len(table.headers))]
    total = sum(weights)
    return [PAGE_WIDTH * w / total for w in weights]


def _table(pdf, table: Table | None, caption: bool = True) -> None:
    if table is None or not table.rows:
        return
    if caption and table.caption:
        layout.paragraph(pdf, table.caption, bold=True)
    layout.plain_table(
        pdf,
        table.headers,
        table.rows,
        _widths(table),
        ["RIGHT" if numeric else "LEFT" for numeric in table.numeric],
        size=8,
    )
    pdf.ln(2)


def render(report: ProgrammeReport) -> bytes:
    pdf = layout.new_document(report.title, report.organisation)
    with force_locale(report.language):
        layout.title_block(pdf, report.organisation, report.title)
        layout.paragraph(pdf, _("Programme report · %(window)s", window=report.window_key), size=11, bold=True)
        pdf.ln(2)
        layout.facts(pdf, report.facts)
        if report.notice:
            pdf.ln(2)
            layout.paragraph(pdf, report.notice, size=10, bold=True)

        layout.heading(pdf, _("Headline figures"), size=13)
        _table(pdf, headline_table(report), caption=False)

        layout.heading(pdf, _("Who is and is not being heard"), size=13)
        if report.heard is None:
            layout.paragraph(
                pdf,
                _(
                    "No group figures: the surveys ask no demographic question and the programme has no population figures."
                ),
            )
        else:
            chart = report.heard_chart.render("png") if report.heard_chart else None
            layout.image(pdf, chart, width=170)
            _table(pdf, report.heard)
            layout.paragraph(pdf, report.heard_note)

        for block in report.metrics:
            layout.heading(pdf, f"{block.code} · {block.name}", size=11, space=5)
            summary = f"{block.value}"
            if block.raw["value"] is not None:
                summary += f" · n = {block.n}"
                if block.interval != "—":
                    summary += " · " + _("%(p)d%% interval", p=95) + " " + block.interval
            layout.paragraph(pdf, summary, size=10, bold=True)
            if block.reason:
                layout.paragraph(pdf, block.reason)
            if block.previous_window:
                layout.paragraph(
                    pdf,
                    _(
                        "Previous period %(window)s: %(value)s · change %(change)s",
                        window=block.previous_window,
                        value=block.previous,
                        change=block.change,
                    ),
                )
            for line in block.lines:
                layout.paragraph(pdf, line)
            for table in block.tables:
                _table(pdf, table)
            if block.chart:
                layout.image(pdf, block.chart.render("png"), width=120)
            _table(pdf, block.trend)

        layout.heading(pdf, _("Stories"), size=13)
        for story in report.stories:
            layout.paragraph(pdf, story["title"], size=10, bold=True)
            layout.paragraph(pdf, story["told_on"])
            layout.paragraph(pdf, story["body"])
            pdf.ln(1)
        if not report.stories:
            layout.paragraph(pdf, _("No story in this period."))

        layout.heading(pdf, _("You said, we did"), size=13)
        for action in report.actions:
            layout.paragraph(pdf, f"{_('We did')}: {action.description}", size=10, bold=True)
            meta = f"{action.status} · {action.action_date}"
            if action.team:
                meta += f" · {action.team}"
            layout.paragraph(pdf, f"{meta} · {action.published}")
            said = f"{_('You said')} ({action.said_dates})" if action.said_dates else _("You said")
            layout.paragraph(pdf, f"{said}: {action.said_note}")
            for quote in action.quotes:
                layout.paragraph(pdf, f"“{quote}”")
            pdf.ln(1)
        if not report.actions:
            layout.paragraph(pdf, _("No action in this period."))

        layout.methods(pdf, _("Methods"), report.methods)
    return layout.output(pdf)
