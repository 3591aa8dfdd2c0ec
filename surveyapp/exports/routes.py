"""Organiser downloads of responses (editor and up: exports hold raw answers).

/surveys/<id>/export.csv|.xlsx|.sav|.jsonl and /surveys/<id>/codebook.csv
accept the analytics filters (status=all, from, to, channel, language,
answer=code:option) plus ``lang`` (labels), ``weights=1`` (a raking weight
column) and, for CSV, ``bom=1``.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _

from ..access import get_owned_or_404, role_required
from ..errors import abort_with
from ..orgs.models import Role
from ..results.view_args import survey_filters_language
from ..surveys.models import Survey, pick_language
from . import downloads, pacing, sav, writers
from . import rows as rows_module
from .layout import build_layout
from .weights import WeightsUnavailable, weights_for

bp = Blueprint("exports", __name__)

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def _prepare(survey_id: int):
    """``weights=1`` adds the raking weight column; a survey that cannot be
    weighted answers 400 with the reason instead of a silent unweighted file."""
    survey, filters, language = survey_filters_language(survey_id)
    weights = None
    if request.args.get("weights") == "1":
        try:
            weights = weights_for(survey, filters, language)
        except WeightsUnavailable as error:
            abort_with(400, str(error))
    layout = build_layout(survey, language, weighted=weights is not None, weight_cap=weights.cap if weights else 5.0)
    return survey, filters, layout, weights


def _filename(survey: Survey, what: str, ext: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return f"suara-survey-{survey.id}-{what}-{stamp}.{ext}"


def _headers(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


@bp.get("/surveys/<int:survey_id>/exports")
@role_required(Role.EDITOR)
def manage_exports(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    return render_template("exports/index.html", survey=survey, query=request.query_string.decode())


@bp.get("/surveys/<int:survey_id>/export.csv")
@role_required(Role.EDITOR)
def export_csv(survey_id: int):
    survey, filters, layout, weights = _prepare(survey_id)
    downloads.record(survey, "csv", filters, weighted=weights is not None)
    bom = request.args.get("bom") == "1"
    chunks = writers.csv_chunks(
        layout, rows_module.iter_batches(layout, survey.id, filters, weights=weights, ready=True), bom
    )
    return Response(
        stream_with_context(pacing.download(chunks)),
        mimetype=MIMETYPES["csv"],
        headers=_headers(_filename(survey, "responses", "csv")),
    )


@bp.get("/surveys/<int:survey_id>/export.jsonl")
@role_required(Role.EDITOR)
def export_jsonl(survey_id: int):
    survey, filters, layout, weights = _prepare(survey_id)
    downloads.record(survey, "jsonl", filters, weighted=weights is not None)
    chunks = writers.jsonl_chunks(layout, rows_module.iter_rows(layout, survey.id, filters, weights=weights))
    return Response(
        stream_with_context(pacing.download(chunks)),
        mimetype=MIMETYPES["jsonl"],
        headers=_headers(_filename(survey, "responses", "jsonl")),
    )


@bp.get("/surveys/<int:survey_id>/codebook.csv")
@role_required(Role.EDITOR)
def export_codebook(survey_id: int):
    survey, _filters, layout, _weights = _prepare(survey_id)
    return Response(
        writers.codebook_csv(layout, request.args.get("bom") == "1"),
        mimetype=MIMETYPES["csv"],
        headers=_headers(_filename(survey, "codebook", "csv")),
    )


@bp.get("/surveys/<int:survey_id>/export.xlsx")
@role_required(Role.EDITOR)
def export_xlsx(survey_id: int):
    """Streamed like CSV: the workbook is zipped as it is written (xlsx.py)."""
    survey, filters, layout, weights = _prepare(survey_id)
    count = rows_module.count(survey.id, filters)
    if count > writers.XLSX_MAX_ROWS:
        abort_with(
            422,
            _(
                "A spreadsheet holds at most %(n)s rows. Download CSV instead, or filter by date.",
                n=format(writers.XLSX_MAX_ROWS, ","),
            ),
        )
    downloads.record(survey, "xlsx", filters, weighted=weights is not None, rows=count)
    chunks = writers.xlsx_chunks(
        layout, rows_module.iter_batches(layout, survey.id, filters, weights=weights, ready=True), expected_rows=count
    )
    return Response(
        stream_with_context(pacing.download(chunks)),
        mimetype=MIMETYPES["xlsx"],
        headers=_headers(_filename(survey, "responses", "xlsx")),
    )


@bp.get("/surveys/<int:survey_id>/export.sav")
@role_required(Role.EDITOR)
def export_sav(survey_id: int):
    """Streamed like CSV: the .sav writer keeps memory flat (sav.py)."""
    survey, filters, layout, weights = _prepare(survey_id)
    widths = sav.string_widths(layout, survey.id)
    downloads.record(survey, "sav", filters, weighted=weights is not None)
    chunks = sav.sav_chunks(
        layout,
        rows_module.iter_rows(layout, survey.id, filters, weights=weights),
        widths,
        label=pick_language(survey.title, request.args.get("lang") or survey.default_language, survey.default_language),
    )
    return Response(
        stream_with_context(pacing.download(chunks)),
        mimetype=MIMETYPES["sav"],
        headers=_headers(_filename(survey, "responses", "sav")),
    )
