"""Organiser pages: upload an XLSForm, download a survey as XLSForm, import
submissions collected offline, and read the import reports."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import current_org, get_owned_or_404, role_required
from ..errors import abort_with
from ..extensions import db
from ..orgs.models import Role
from ..surveys.models import Survey
from .exporter import survey_to_xlsform
from .models import ImportReport
from .workbook import XLSFormError

bp = Blueprint("xlsform", __name__)
REPORT_LINES_KEPT = 500


def _upload(field: str) -> tuple[bytes, str] | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    return upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1), upload.filename[:200]


@bp.route("/surveys/import-xlsform", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_import_xlsform():
    if request.method == "GET":
        return render_template("exports/xlsform_import.html", problems=[])
    from .services import import_xlsform

    received = _upload("xlsform")
    if received is None:
        return render_template(
            "exports/xlsform_import.html", problems=[_("Choose an XLSForm file (.xlsx) to import.")]
        ), 422
    data, filename = received
    organisation = current_org()
    try:
        result = import_xlsform(
            organisation.id, current_user.id, data, filename, current_app.config["MAX_CONTENT_LENGTH"]
        )
    except XLSFormError as error:
        return render_template("exports/xlsform_import.html", problems=error.problems[:100]), 422
    report = ImportReport(
        organisation_id=organisation.id,
        survey_id=result.survey.id,
        kind="xlsform",
        filename=filename,
        counts={"notes": len(result.report)},
        lines=[str(line) for line in result.report[:REPORT_LINES_KEPT]],
    )
    db.session.add(report)
    db.session.commit()
    flash(_("Survey imported from the XLSForm."), "success")
    return redirect(url_for("xlsform.manage_import_report", report_id=report.id), 303)


@bp.get("/surveys/imports/<int:report_id>")
@role_required(Role.EDITOR)
def manage_import_report(report_id: int):
    report = get_owned_or_404(ImportReport, report_id)
    survey = db.session.get(Survey, report.survey_id) if report.survey_id else None
    survey_url = None
    if survey is not None and "builder.manage_survey" in current_app.view_functions:
        survey_url = url_for("builder.manage_survey", survey_id=survey.id)
    return render_template("exports/import_report.html", report=report, survey=survey, survey_url=survey_url)


@bp.get("/surveys/<int:survey_id>/xlsform.xlsx")
@role_required(Role.VIEWER)
def manage_xlsform_download(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    return Response(
        survey_to_xlsform(survey),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="suara-survey-{survey.id}-xlsform.xlsx"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/surveys/<int:survey_id>/offline-import", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_offline_import(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    if request.method == "GET":
        return render_template("exports/offline_import.html", survey=survey, problems=[])
    from .submissions import import_submissions

    received = _upload("submissions")
    if received is None:
        return render_template(
            "exports/offline_import.html",
            survey=survey,
            problems=[_("Choose the CSV file exported from KoboToolbox or ODK Central.")],
        ), 422
    data, filename = received
    if len(data) > current_app.config["MAX_CONTENT_LENGTH"]:
        abort_with(413, _("The file is larger than Suara accepts."))
    try:
        result = import_submissions(survey, data)
    except XLSFormError as error:
        return render_template("exports/offline_import.html", survey=survey, problems=error.problems), 422
    lines = [str(r) for r in result.rejected[:REPORT_LINES_KEPT]]
    if result.ignored_columns:
        lines.insert(
            0,
            _(
                "Columns not matching a question were ignored: %(names)s",
                names=", ".join(result.ignored_columns)[:1000],
            ),
        )
    report = ImportReport(
        organisation_id=survey.organisation_id,
        survey_id=survey.id,
        kind="submissions",
        filename=filename,
        lines=lines,
        counts={"stored": result.stored, "already": result.already, "rejected": len(result.rejected)},
    )
    db.session.add(report)
    db.session.commit()
    return redirect(url_for("xlsform.manage_import_report", report_id=report.id), 303)
