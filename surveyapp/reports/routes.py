"""/surveys/<id>/report.pdf and the print-friendly /surveys/<id>/report.

Viewer and up: a report holds aggregates only, with the privacy floor and
the analytics filters applied."""
from __future__ import annotations

import base64
from datetime import datetime

from flask import Blueprint, Response, render_template, request
from flask_babel import force_locale

from ..access import role_required
from ..orgs.models import Role
from ..results.view_args import survey_filters_language
from . import content, pdf
from .charts import question_png

bp = Blueprint("reports", __name__)


def _report(survey_id: int):
    survey, filters, language = survey_filters_language(survey_id)
    return survey, content.build(survey, filters, language)


@bp.get("/surveys/<int:survey_id>/report.pdf")
@role_required(Role.VIEWER)
def report_pdf(survey_id: int):
    survey, report = _report(survey_id)
    name = f"suara-survey-{survey.id}-report-{datetime.now():%Y%m%d}.pdf"
    return Response(pdf.render(report), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/surveys/<int:survey_id>/report")
@role_required(Role.VIEWER)
def report_page(survey_id: int):
    survey, report = _report(survey_id)
    charts = {}
    for block in report.questions:
        image = question_png(block)
        if image:
            charts[block.code] = "data:image/png;base64," + base64.b64encode(image).decode()
    # The whole page in the report's language, so it prints as one document.
    with force_locale(report.language):
        return render_template("reports/survey.html", survey=survey, report=report, charts=charts,
                               query=request.query_string.decode())
