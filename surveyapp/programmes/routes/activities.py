"""Activities, their attendance (check-in lists) and the notes taken at them."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ...access import can_see_contacts, current_role, get_owned_or_404, role_required
from ...links import external_url
from ...orgs.models import Role
from .. import forms, queries, services
from ..models import Activity, FeedbackSource
from .common import _back, _flash_errors, _programme, bp


@bp.route("/programmes/<int:programme_id>/activities", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_activities(programme_id: int):
    programme = _programme(programme_id)
    form = forms.ActivityForm()
    if request.method == "POST":
        if form.validate_on_submit():
            activity = services.create_activity(
                programme,
                title=form.title.data,
                kind=form.kind.data,
                held_on=form.held_on.data,
                place=form.place.data,
                head_count=form.head_count.data,
            )
            flash(_("Activity added."), "success")
            return _back("programmes.manage_activity", activity_id=activity.id)
    rows = queries.activities_with_checkins(programme.id)
    return render_template(
        "programmes/activities.html",
        programme=programme,
        form=form,
        rows=rows,
        can_edit=current_role().allows(Role.EDITOR),
    ), (400 if form.errors else 200)


@bp.route("/programmes/activities/<int:activity_id>", methods=["GET", "POST"])
@role_required(read=Role.VIEWER, write=Role.EDITOR)
def manage_activity(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id)
    form = forms.ActivityForm(obj=activity)
    if request.method == "POST":
        if form.validate_on_submit():
            services.update_activity(
                activity,
                title=form.title.data,
                kind=form.kind.data,
                held_on=form.held_on.data,
                place=form.place.data,
                head_count=form.head_count.data,
                checkin_open=form.checkin_open.data,
            )
            flash(_("Activity saved."), "success")
            return _back("programmes.manage_activity", activity_id=activity.id)
    can_edit = current_role().allows(Role.EDITOR)
    attendance = queries.checkins(activity.id)
    checkins = len(attendance)
    if not can_see_contacts():
        attendance = []  # who checked in is contact data: viewers get the count only
    notes = queries.activity_notes(activity.id)
    return render_template(
        "programmes/activity.html",
        activity=activity,
        programme=activity.programme,
        form=form,
        attendance=attendance,
        checkins=checkins,
        notes=notes,
        can_edit=can_edit,
        list_form=forms.AttendanceListForm(),
        note_form=forms.NoteForm(),
        confirm=forms.ConfirmForm(),
        checkin_url=external_url("programmes.display_checkin", token=activity.checkin_token),
    ), (400 if form.errors else 200)


@bp.route("/programmes/activities/<int:activity_id>/attendance", methods=["POST"])
@role_required(Role.EDITOR)
def manage_attendance_list(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id)
    form = forms.AttendanceListForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        try:
            added, _unused = services.add_attendance_list(activity, form.lines.data)
        except services.ProgrammeError as error:
            flash(str(error), "error")
        else:
            flash(_("%(n)d people checked in.", n=added), "success")
    return _back("programmes.manage_activity", activity_id=activity.id)


@bp.route("/programmes/activities/<int:activity_id>/notes", methods=["POST"])
@role_required(Role.EDITOR)
def manage_activity_note(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        services.add_feedback(
            activity.programme, text=form.text.data, source=FeedbackSource.ACTIVITY.value, activity=activity
        )
        flash(_("Note added to the feedback."), "success")
    return _back("programmes.manage_activity", activity_id=activity.id)


@bp.route("/programmes/activities/<int:activity_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def manage_delete_activity(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = activity.programme_id
    services.delete_activity(activity)
    flash(_("Activity deleted."), "info")
    return _back("programmes.manage_activities", programme_id=programme_id)
