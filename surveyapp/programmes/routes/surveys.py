"""The surveys a programme takes in (series and waves), added and removed."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ...access import current_role, get_owned_or_404, role_required
from ...extensions import db
from ...orgs.models import Role
from ...surveys.models import Survey
from .. import forms, queries, services
from ..models import Activity, ProgrammeSurvey
from .common import _back, _programme, bp


@bp.route("/programmes/<int:programme_id>/surveys", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_surveys(programme_id: int):
    programme = _programme(programme_id)
    form = forms.LinkSurveyForm()
    surveys = queries.linkable_surveys(programme.organisation_id)
    form.survey_id.choices = [SelectChoice(s.id, s.text("title", s.default_language)) for s in surveys]
    activities = queries.activities(programme.id)
    form.activity_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(a.id, f"{a.held_on.isoformat()} {a.title}") for a in activities
    ]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            survey = get_owned_or_404(Survey, form.survey_id.data)
            activity = db.session.get(Activity, form.activity_id.data) if form.activity_id.data else None
            try:
                services.link_survey(programme, survey, series=form.series.data, wave=form.wave.data, activity=activity)
            except services.ProgrammeError as error:
                flash(str(error), "error")
                status = 409
            else:
                flash(_("Survey added to the programme."), "success")
                return _back("programmes.manage_surveys", programme_id=programme.id)
        else:
            status = 400
    links = queries.survey_links(programme.id)
    return render_template(
        "programmes/surveys.html",
        programme=programme,
        form=form,
        links=links,
        can_edit=current_role().allows(Role.EDITOR),
        confirm=forms.ConfirmForm(),
    ), status


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/unlink", methods=["POST"])
@role_required(Role.EDITOR)
def manage_unlink_survey(programme_id: int, survey_id: int):
    programme = _programme(programme_id)
    link = db.session.get(ProgrammeSurvey, survey_id)
    if link is None or link.programme_id != programme.id or not forms.ConfirmForm().validate_on_submit():
        abort(404)
    services.unlink_survey(link)
    flash(_("Survey removed from the programme; its responses are kept."), "info")
    return _back("programmes.manage_surveys", programme_id=programme.id)
