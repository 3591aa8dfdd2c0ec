"""The programme itself: the list, creation, settings, population figures and deletion."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ...access import current_org, current_role, role_required
from ...orgs.models import Role
from .. import forms, queries, services
from .common import _back, _flash_errors, _programme, bp


@bp.route("/programmes")
@role_required(Role.VIEWER)
def manage_index():
    org = current_org()
    programmes = queries.programmes_of(org.id)
    return render_template(
        "programmes/index.html",
        programmes=programmes,
        form=forms.ProgrammeForm(),
        can_edit=current_role().allows(Role.EDITOR),
    )


@bp.route("/programmes/new", methods=["POST"])
@role_required(Role.EDITOR)
def manage_create():
    form = forms.ProgrammeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back("programmes.manage_index")
    try:
        programme = services.create_programme(
            current_org().id,
            name=form.name.data,
            area=form.area.data,
            description=form.description.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            community_size=form.community_size.data,
        )
    except services.ProgrammeError as error:
        flash(str(error), "error")
        return _back("programmes.manage_index")
    flash(_("Programme created."), "success")
    return _back("programmes.manage_programme", programme_id=programme.id)


@bp.route("/programmes/<int:programme_id>/settings", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_programme(programme_id: int):
    programme = _programme(programme_id)
    form = forms.ProgrammeSettingsForm(obj=programme)
    margins_form = forms.MarginsForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_programme(
                    programme,
                    name=form.name.data,
                    area=form.area.data,
                    description=form.description.data,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    community_size=form.community_size.data,
                    public_page_enabled=form.public_page_enabled.data,
                    feedback_form_enabled=form.feedback_form_enabled.data,
                )
            except services.ProgrammeError as error:
                flash(str(error), "error")
            else:
                flash(_("Programme saved."), "success")
                return _back("programmes.manage_programme", programme_id=programme.id)
    if request.method == "GET":
        margins_form.margins.data = "\n".join(
            f"{m.dimension}, {m.category}, {m.population}" for m in programme.populations
        )
    from ..metrics_pure import margin_warnings

    return render_template(
        "programmes/settings.html",
        programme=programme,
        form=form,
        margins_form=margins_form,
        warnings=margin_warnings(programme.community_size, services.margins_of(programme)),
        can_edit=current_role().allows(Role.EDITOR),
        is_owner=current_role().allows(Role.OWNER),
        confirm=forms.ConfirmForm(),
    ), (400 if form.errors else 200)


@bp.route("/programmes/<int:programme_id>/population", methods=["POST"])
@role_required(Role.EDITOR)
def manage_population(programme_id: int):
    programme = _programme(programme_id)
    form = forms.MarginsForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back("programmes.manage_programme", programme_id=programme.id)
    try:
        margins = services.parse_margins(form.margins.data or "")
    except services.ProgrammeError as error:
        flash(str(error), "error")
        return _back("programmes.manage_programme", programme_id=programme.id)
    warnings = services.set_margins(programme, margins)
    flash(_("Population figures saved."), "success")
    for w in warnings:
        flash(
            _(
                "Check the figures for %(dimension)s: they add up to %(total)s people, but the community size is %(size)s.",
                dimension=w["dimension"],
                total=w["total"],
                size=w["community_size"],
            ),
            "warning",
        )
    return _back("programmes.manage_programme", programme_id=programme.id)


@bp.route("/programmes/<int:programme_id>/delete", methods=["POST"])
@role_required(Role.OWNER)
def manage_delete(programme_id: int):
    programme = _programme(programme_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_programme(programme)
    flash(_("Programme deleted. Its surveys and their responses are kept."), "info")
    return _back("programmes.manage_index")
