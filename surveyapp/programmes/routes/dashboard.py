"""The dashboard of the metric set and its CSV download."""

from __future__ import annotations

import base64
import csv
import io

from flask import Response, render_template

from ... import charts
from ...access import role_required
from ...extensions import db
from ...orgs.models import Organisation, Role
from .. import metrics
from ..models import Programme, Story
from .common import _programme, _window_from_request, bp

CHARTED = ("M1", "M2", "M3", "M7", "M9", "M10", "E3", "E4")


def _chart(metric: dict, window_key: str) -> str | None:
    points = [(t["window"], t["value"]) for t in metric["trend"]] + [(window_key, metric["value"])]
    svg = charts.trend(points, metric["unit"], "svg")  # None when no window has data
    if svg is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


@bp.route("/programmes/<int:programme_id>")
@role_required(Role.VIEWER)
def manage_dashboard(programme_id: int):
    programme = _programme(programme_id)
    window = _window_from_request(programme)
    result = metrics.compute_set(programme, window)
    by_code = {m["code"]: m for m in result["metrics"]}
    chart_images = {code: _chart(by_code[code], window.key) for code in CHARTED}
    stories = (
        db.session.execute(
            db.select(Story).filter_by(programme_id=programme.id).order_by(Story.told_on.desc()).limit(5)
        )
        .scalars()
        .all()
    )
    return render_template(
        "programmes/dashboard.html",
        programme=programme,
        window=window,
        result=result,
        m=by_code,
        charts=chart_images,
        charted=CHARTED,
        flags=metrics.representation_flags(programme),
        stories=stories,
        previous=window.previous(),
        survey_titles=_survey_titles(programme),
    )


def _survey_titles(programme: Programme) -> dict[int, str]:
    return {link.survey_id: link.survey.text("title", link.survey.default_language) for link in programme.links}


@bp.route("/programmes/<int:programme_id>/metrics.csv")
@role_required(Role.VIEWER)
def manage_metrics_csv(programme_id: int):
    programme = _programme(programme_id)
    window = _window_from_request(programme)
    result = metrics.compute_set(programme, window)
    k = db.session.get(Organisation, programme.organisation_id).privacy_min_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in metrics.csv_rows(result, k):
        writer.writerow(row)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="programme-{programme.id}-{window.key.replace("..", "_")}.csv"'
        },
    )
