"""/surveys/<id>/report.pdf and the print-friendly /surveys/<id>/report;
/programmes/<id>/report.pdf and /programmes/<id>/report for a window.

Viewer and up (the roles of the results page and the programme dashboard):
a report holds aggregates only, with the privacy floor applied. Neither the
page nor the PDF may be kept by a shared cache."""

from __future__ import annotations

import base64
from datetime import datetime

from flask import Blueprint, Response, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import charts as chart_kinds
from ..access import get_owned_or_404, role_required
from ..errors import abort_with
from ..orgs.models import Role
from ..programmes.models import Programme

# The dashboard's own window parsing, so both read ?window= the same way (400 with the accepted forms).
from ..programmes.routes.common import _window_from_request as dashboard_window
from ..results.view_args import survey_filters_language
from . import content, pdf, programme_content, programme_pdf

NO_STORE = "private, no-store"

bp = Blueprint("reports", __name__)


def _report(survey_id: int):
    survey, filters, language = survey_filters_language(survey_id)
    return survey, content.build(survey, filters, language)


@bp.get("/surveys/<int:survey_id>/report.pdf")
@role_required(Role.VIEWER)
def report_pdf(survey_id: int):
    survey, report = _report(survey_id)
    name = f"suara-survey-{survey.id}-report-{datetime.now():%Y%m%d}.pdf"
    return Response(
        pdf.render(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": NO_STORE},
    )


@bp.get("/surveys/<int:survey_id>/report")
@role_required(Role.VIEWER)
def report_page(survey_id: int):
    survey, report = _report(survey_id)
    charts = {}
    for block in report.questions:
        image = chart_kinds.report_question(block.rows)
        if image:
            charts[block.code] = "data:image/png;base64," + base64.b64encode(image).decode()
    # The whole page in the report's language, so it prints as one document.
    with force_locale(report.language):
        return render_template(
            "reports/survey.html", survey=survey, report=report, charts=charts, query=request.query_string.decode()
        )


def _programme_report(programme_id: int):
    programme = get_owned_or_404(Programme, programme_id)
    window = dashboard_window(programme)
    try:
        report = programme_content.build(programme, window, request.args.get("lang"))
    except programme_content.LanguageError:
        abort_with(400, _("Reports are available in Indonesian (lang=id) and English (lang=en)."))
    return programme, window, report


@bp.get("/programmes/<int:programme_id>/report.pdf")
@role_required(Role.VIEWER)
def programme_report_pdf(programme_id: int):
    programme, window, report = _programme_report(programme_id)
    name = f"suara-programme-{programme.id}-report-{window.key.replace('..', '_')}.pdf"
    return Response(
        programme_pdf.render(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": NO_STORE},
    )


@bp.get("/programmes/<int:programme_id>/report")
@role_required(Role.VIEWER)
def programme_report_page(programme_id: int):
    programme, window, report = _programme_report(programme_id)
    charts = {}
    for chart in [b.chart for b in report.metrics if b.chart] + ([report.heard_chart] if report.heard_chart else []):
        image = chart.render("svg")
        if image:
            charts[chart.key] = "data:image/svg+xml;base64," + base64.b64encode(image).decode()
    with force_locale(report.language):
        headline = programme_content.headline_table(report)
        page = render_template(
            "reports/programme.html",
            programme=programme,
            window=window,
            report=report,
            headline=headline,
            charts=charts,
        )
    response = make_response(page)
    response.headers["Cache-Control"] = NO_STORE
    return response
