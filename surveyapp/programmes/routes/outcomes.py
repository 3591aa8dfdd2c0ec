"""Outcome indicators with their values, and stories."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ...access import current_role, get_owned_or_404, role_required
from ...orgs.models import Role
from .. import forms, queries, services
from ..models import OutcomeIndicator, Story
from .common import _back, _flash_errors, _programme, bp


@bp.route("/programmes/<int:programme_id>/outcomes", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_outcomes(programme_id: int):
    programme = _programme(programme_id)
    form = forms.IndicatorForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_indicator(
                    programme,
                    code=form.code.data,
                    name=form.name.data,
                    unit=form.unit.data,
                    baseline=form.baseline.data,
                    target=form.target.data,
                )
            except services.ProgrammeError as error:
                flash(str(error), "error")
            else:
                flash(_("Indicator added."), "success")
                return _back("programmes.manage_outcomes", programme_id=programme.id)
    indicators = queries.indicators(programme.id)
    return render_template(
        "programmes/outcomes.html",
        programme=programme,
        form=form,
        indicators=indicators,
        value_form=forms.IndicatorValueForm(formdata=None),
        confirm=forms.ConfirmForm(),
        can_edit=current_role().allows(Role.EDITOR),
    ), (400 if form.errors else 200)


@bp.route("/programmes/outcomes/<int:indicator_id>/values", methods=["POST"])
@role_required(Role.EDITOR)
def manage_indicator_value(indicator_id: int):
    indicator = get_owned_or_404(OutcomeIndicator, indicator_id)
    form = forms.IndicatorValueForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        services.add_indicator_value(
            indicator, observed_on=form.observed_on.data, value=form.value.data, note=form.note.data
        )
        flash(_("Value added."), "success")
    return _back("programmes.manage_outcomes", programme_id=indicator.programme_id)


@bp.route("/programmes/outcomes/<int:indicator_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def manage_delete_indicator(indicator_id: int):
    indicator = get_owned_or_404(OutcomeIndicator, indicator_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = indicator.programme_id
    services.delete_indicator(indicator)
    flash(_("Indicator deleted."), "info")
    return _back("programmes.manage_outcomes", programme_id=programme_id)


@bp.route("/programmes/<int:programme_id>/stories", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_stories(programme_id: int):
    programme = _programme(programme_id)
    form = forms.StoryForm()
    if request.method == "POST":
        if form.validate_on_submit():
            services.add_story(programme, title=form.title.data, body=form.body.data, told_on=form.told_on.data)
            flash(_("Story added."), "success")
            return _back("programmes.manage_stories", programme_id=programme.id)
    stories = queries.programme_stories(programme.id)
    return render_template(
        "programmes/stories.html",
        programme=programme,
        form=form,
        stories=stories,
        confirm=forms.ConfirmForm(),
        can_edit=current_role().allows(Role.EDITOR),
    ), (400 if form.errors else 200)


@bp.route("/programmes/stories/<int:story_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def manage_delete_story(story_id: int):
    story = get_owned_or_404(Story, story_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = story.programme_id
    services.delete_story(story)
    flash(_("Story deleted."), "info")
    return _back("programmes.manage_stories", programme_id=programme_id)
