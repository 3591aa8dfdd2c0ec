"""The programme report as a PDF, drawn with the blocks of the PDF base
(surveyapp/pdf) and the PNG charts of surveyapp/charts.py."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ..pdf import Document, blocks
from .programme_content import ProgrammeReport, Table, headline_table

SIZE = 8  # pt, the tables: seventeen metrics and six columns on one page width


def _align(table: Table) -> list[str]:
    return ["RIGHT" if numeric else "LEFT" for numeric in table.numeric]


def _start(pdf: Document, table: Table | None, caption: bool = True) -> float:
    """The height of a table's caption, heading row and first row (0 without rows)."""
    if table is None or not table.rows:
        return 0
    height = blocks.table_start_height(pdf, table.headers, table.rows, SIZE)
    if caption and table.caption:
        height += blocks.text_height(pdf, table.caption, style="B")
    return height


def _table(pdf: Document, table: Table | None, caption: bool = True) -> None:
    if table is None or not table.rows:
        return
    if caption and table.caption:
        pdf.keep(_start(pdf, table))  # the caption stays with its table
        blocks.paragraph(pdf, table.caption, bold=True)
    blocks.table(pdf, table.headers, table.rows, _align(table), size=SIZE)
    pdf.ln(1)


def render(report: ProgrammeReport) -> bytes:
    with force_locale(report.language):
        pdf = Document(report.title, report.organisation, footer_title=report.title)
        pdf.add_page()
        blocks.title_block(pdf, report.organisation, report.title)
        blocks.paragraph(pdf, _("Programme report · %(window)s", window=report.window_key), size=11, bold=True)
        pdf.ln(2)
        blocks.facts(pdf, report.facts)
        if report.notice:
            pdf.ln(2)
            blocks.paragraph(pdf, report.notice, size=10, bold=True)

        headline = headline_table(report)
        blocks.heading(pdf, _("Headline figures"), keep=_start(pdf, headline, caption=False), size=13)
        _table(pdf, headline, caption=False)

        heard_chart = report.heard_chart.render("png") if report.heard is not None and report.heard_chart else None
        if report.heard is None:
            none = _(
                "No group figures: the surveys ask no demographic question and the programme has no population figures."
            )
            blocks.heading(pdf, _("Who is and is not being heard"), keep=blocks.text_height(pdf, none), size=13)
            blocks.paragraph(pdf, none)
        else:
            first = blocks.image_size(pdf, heard_chart)[1] if heard_chart else _start(pdf, report.heard)
            blocks.heading(pdf, _("Who is and is not being heard"), keep=first, size=13)
            blocks.image(pdf, heard_chart)
            _table(pdf, report.heard)
            blocks.paragraph(pdf, report.heard_note)

        for block in report.metrics:
            summary = f"{block.value}"
            if block.raw["value"] is not None:
                summary += f" · n = {block.n}"
                if block.interval != "—":
                    summary += " · " + _("%(p)d%% interval", p=95) + " " + block.interval
            blocks.heading(pdf, f"{block.code} · {block.name}", keep=blocks.text_height(pdf, summary, size=10), space=5)
            blocks.paragraph(pdf, summary, size=10, bold=True)
            if block.reason:
                blocks.paragraph(pdf, block.reason)
            if block.previous_window:
                blocks.paragraph(
                    pdf,
                    _(
                        "Previous period %(window)s: %(value)s · change %(change)s",
                        window=block.previous_window,
                        value=block.previous,
                        change=block.change,
                    ),
                )
            for line in block.lines:
                blocks.paragraph(pdf, line)
            for table in block.tables:
                _table(pdf, table)
            if block.chart:
                blocks.image(pdf, block.chart.render("png"))
            _table(pdf, block.trend)

        first_story = report.stories[0]["title"] if report.stories else _("No story in this period.")
        blocks.heading(pdf, _("Stories"), keep=blocks.text_height(pdf, first_story, size=10) + 10, size=13)
        for story in report.stories:
            pdf.keep(blocks.text_height(pdf, story["title"], size=10) + 10)  # a title with its first lines
            blocks.paragraph(pdf, story["title"], size=10, bold=True)
            blocks.paragraph(pdf, story["told_on"])
            blocks.paragraph(pdf, story["body"])
            pdf.ln(1)
        if not report.stories:
            blocks.paragraph(pdf, _("No story in this period."))

        blocks.heading(pdf, _("You said, we did"), keep=20, size=13)
        for action in report.actions:
            did = f"{_('We did')}: {action.description}"
            pdf.keep(blocks.text_height(pdf, did, size=10) + 10)
            blocks.paragraph(pdf, did, size=10, bold=True)
            meta = f"{action.status} · {action.action_date}"
            if action.team:
                meta += f" · {action.team}"
            blocks.paragraph(pdf, f"{meta} · {action.published}")
            said = f"{_('You said')} ({action.said_dates})" if action.said_dates else _("You said")
            blocks.paragraph(pdf, f"{said}: {action.said_note}")
            for quote in action.quotes:
                blocks.paragraph(pdf, f"“{quote}”")
            pdf.ln(1)
        if not report.actions:
            blocks.paragraph(pdf, _("No action in this period."))

        blocks.heading(pdf, _("Methods"), keep=blocks.text_height(pdf, report.methods[0]) if report.methods else 0)
        for line in report.methods:
            blocks.paragraph(pdf, line)
    return pdf.bytes()
