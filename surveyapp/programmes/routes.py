"""Programme pages: organiser pages under /programmes (load -> check access ->
act through services -> respond, 303 after every POST) and three public pages:
the check-in page of an activity, the feedback form and "you said, we did".

Roles: viewers read everything except participants (not even who checked in:
access.can_see_contacts); editors manage programmes, surveys, activities,
attendance, feedback, actions, outcomes and stories; owners also delete
programmes and look up, export and erase participants.
"""

from __future__ import annotations

import base64
import csv
import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l  # noqa: F401
from wtforms.fields.choices import SelectChoice

from .. import charts
from ..access import can_see_contacts, current_org, current_role, get_owned_or_404, role_required
from ..database import utcnow
from ..errors import abort_with
from ..extensions import db, limiter
from ..links import external_url
from ..orgs.models import Organisation, Role
from ..responses.models import Participant
from ..surveys.models import Survey
from . import forms, metrics, services
from . import participants as people
from .models import (
    Activity,
    Attendance,
    FeedbackItem,
    FeedbackSource,
    FollowUpAction,
    OutcomeIndicator,
    Programme,
    ProgrammeSurvey,
    Story,
)
from .windows import WindowError, parse_window, window_of

bp = Blueprint("programmes", __name__)
CHARTED = ("M1", "M2", "M3", "M7", "M9", "M10", "E3", "E4")


def _flash_errors(form) -> None:
    for field, errors in form.errors.items():
        label = form[field].label.text if field in form and field != "csrf_token" else ""
        for error in errors:
            flash(f"{label}: {error}" if label else error, "error")


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values)), 303


def _programme(programme_id: int) -> Programme:
    return get_owned_or_404(Programme, programme_id)


def _window_from_request(programme: Programme):
    text = request.args.get("window")
    if not text:
        return window_of(utcnow().date(), "quarter")
    try:
        return parse_window(text)
    except WindowError as error:
        abort_with(400, str(error))


# ---- programmes ----------------------------------------------------------------


@bp.route("/programmes")
@role_required(Role.VIEWER)
def manage_index():
    org = current_org()
    programmes = (
        db.session.execute(
            db.select(Programme).filter_by(organisation_id=org.id).order_by(Programme.starts_on.desc(), Programme.id)
        )
        .scalars()
        .all()
    )
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
@role_required(Role.VIEWER)
def manage_programme(programme_id: int):
    programme = _programme(programme_id)
    form = forms.ProgrammeSettingsForm(obj=programme)
    margins_form = forms.MarginsForm()
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
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
    from .metrics_pure import margin_warnings

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


# ---- dashboard -------------------------------------------------------------------


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


# ---- surveys ----------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/surveys", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def manage_surveys(programme_id: int):
    programme = _programme(programme_id)
    form = forms.LinkSurveyForm()
    surveys = (
        db.session.execute(
            db.select(Survey)
            .filter_by(organisation_id=programme.organisation_id, is_template=False)
            .order_by(Survey.id)
        )
        .scalars()
        .all()
    )
    form.survey_id.choices = [SelectChoice(s.id, s.text("title", s.default_language)) for s in surveys]
    activities = (
        db.session.execute(db.select(Activity).filter_by(programme_id=programme.id).order_by(Activity.held_on))
        .scalars()
        .all()
    )
    form.activity_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(a.id, f"{a.held_on.isoformat()} {a.title}") for a in activities
    ]
    status = 200
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
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
    links = (
        db.session.execute(
            db.select(ProgrammeSurvey)
            .filter_by(programme_id=programme.id)
            .order_by(ProgrammeSurvey.series, ProgrammeSurvey.wave)
        )
        .scalars()
        .all()
    )
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


# ---- activities -----------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/activities", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def manage_activities(programme_id: int):
    programme = _programme(programme_id)
    form = forms.ActivityForm()
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
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
    rows = db.session.execute(
        db.select(Activity, db.func.count(Attendance.id), db.func.count(Attendance.participant_id))
        .outerjoin(Attendance, Attendance.activity_id == Activity.id)
        .where(Activity.programme_id == programme.id)
        .group_by(Activity.id)
        .order_by(Activity.held_on.desc(), Activity.id.desc())
    ).all()
    return render_template(
        "programmes/activities.html",
        programme=programme,
        form=form,
        rows=rows,
        can_edit=current_role().allows(Role.EDITOR),
    ), (400 if form.errors else 200)


@bp.route("/programmes/activities/<int:activity_id>", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def manage_activity(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id)
    form = forms.ActivityForm(obj=activity)
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
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
    attendance = db.session.execute(
        db.select(Attendance.channel, Attendance.checked_in_at, Participant.pseudonym)
        .outerjoin(Participant, Participant.id == Attendance.participant_id)
        .where(Attendance.activity_id == activity.id)
        .order_by(Attendance.checked_in_at)
    ).all()
    checkins = len(attendance)
    if not can_see_contacts():
        attendance = []  # who checked in is contact data: viewers get the count only
    notes = (
        db.session.execute(
            db.select(FeedbackItem)
            .filter_by(activity_id=activity.id, source=FeedbackSource.ACTIVITY.value)
            .order_by(FeedbackItem.id)
        )
        .scalars()
        .all()
    )
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


# ---- feedback and actions ---------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/feedback")
@role_required(Role.VIEWER)
def manage_feedback(programme_id: int):
    programme = _programme(programme_id)
    services.sync_survey_feedback(programme)
    query = db.select(FeedbackItem).filter_by(programme_id=programme.id)
    source = request.args.get("source")
    if source in {s.value for s in FeedbackSource}:
        query = query.filter_by(source=source)
    if request.args.get("open") == "1":
        query = query.where(~FeedbackItem.actions.any())
    items = db.session.execute(query.order_by(FeedbackItem.received_at.desc()).limit(200)).scalars().all()
    actions = (
        db.session.execute(
            db.select(FollowUpAction).filter_by(programme_id=programme.id).order_by(FollowUpAction.action_date.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "programmes/feedback.html",
        programme=programme,
        items=items,
        actions=actions,
        tag_form=forms.TagForm(),
        action_form=forms.ActionForm(formdata=None, action_date=utcnow().date()),
        confirm=forms.ConfirmForm(),
        can_edit=current_role().allows(Role.EDITOR),
        public_url=external_url("programmes.display_you_said", token=programme.public_token),
        form_url=external_url("programmes.display_feedback_form", token=programme.public_token),
    )


@bp.route("/programmes/feedback/<bigid:feedback_id>/tag", methods=["POST"])
@role_required(Role.EDITOR)
def manage_tag_feedback(feedback_id: int):
    item = get_owned_or_404(FeedbackItem, feedback_id)
    form = forms.TagForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        services.tag_feedback(item, topic=form.topic.data, sentiment=form.sentiment.data)
        flash(_("Tags saved."), "success")
    return _back("programmes.manage_feedback", programme_id=item.programme_id)


@bp.route("/programmes/feedback/<bigid:feedback_id>/actions", methods=["POST"])
@role_required(Role.EDITOR)
def manage_add_action(feedback_id: int):
    item = get_owned_or_404(FeedbackItem, feedback_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back("programmes.manage_feedback", programme_id=item.programme_id)
    programme = db.session.get(Programme, item.programme_id)
    services.add_action(
        programme,
        [item],
        description=form.description.data,
        status=form.status.data,
        action_date=form.action_date.data,
        team=form.team.data,
        published=form.published.data,
    )
    flash(_("Action recorded."), "success")
    return _back("programmes.manage_feedback", programme_id=item.programme_id)


@bp.route("/programmes/actions/<int:action_id>", methods=["POST"])
@role_required(Role.EDITOR)
def manage_update_action(action_id: int):
    action = get_owned_or_404(FollowUpAction, action_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        services.update_action(
            action,
            description=form.description.data,
            status=form.status.data,
            action_date=form.action_date.data,
            team=form.team.data,
            published=form.published.data,
        )
        flash(_("Action saved."), "success")
    return _back("programmes.manage_feedback", programme_id=action.programme_id)


@bp.route("/programmes/actions/<int:action_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def manage_delete_action(action_id: int):
    action = get_owned_or_404(FollowUpAction, action_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = action.programme_id
    services.delete_action(action)
    flash(_("Action deleted."), "info")
    return _back("programmes.manage_feedback", programme_id=programme_id)


# ---- outcomes and stories -----------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/outcomes", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def manage_outcomes(programme_id: int):
    programme = _programme(programme_id)
    form = forms.IndicatorForm()
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
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
    indicators = (
        db.session.execute(
            db.select(OutcomeIndicator).filter_by(programme_id=programme.id).order_by(OutcomeIndicator.id)
        )
        .scalars()
        .all()
    )
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
@role_required(Role.VIEWER)
def manage_stories(programme_id: int):
    programme = _programme(programme_id)
    form = forms.StoryForm()
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
        if form.validate_on_submit():
            services.add_story(programme, title=form.title.data, body=form.body.data, told_on=form.told_on.data)
            flash(_("Story added."), "success")
            return _back("programmes.manage_stories", programme_id=programme.id)
    stories = (
        db.session.execute(db.select(Story).filter_by(programme_id=programme.id).order_by(Story.told_on.desc()))
        .scalars()
        .all()
    )
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


# ---- participants (owner only) -----------------------------------------------------


@bp.route("/programmes/participants", methods=["GET", "POST"])
@role_required(Role.OWNER)
def manage_participants():
    form = forms.ParticipantLookupForm()
    if form.validate_on_submit():
        try:
            participant = people.find(current_org(), form.identity.data)
        except people.IdentityError as error:
            form.identity.errors.append(str(error))
        else:
            if participant is None:
                abort_with(
                    404,
                    _(
                        "No participant is known by this phone number, e-mail address or pseudonym in your organisation. Nothing was changed."
                    ),
                )
            return _back("programmes.manage_participant", participant_id=participant.id)
    return render_template("programmes/participants.html", form=form), (400 if form.errors else 200)


@bp.route("/programmes/participants/<int:participant_id>")
@role_required(Role.OWNER)
def manage_participant(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    data = people.export(participant)
    return render_template(
        "programmes/participant.html", participant=participant, data=data, confirm=forms.ConfirmForm()
    )


@bp.route("/programmes/participants/<int:participant_id>/export.json")
@role_required(Role.OWNER)
def manage_participant_export(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    body = json.dumps(people.export(participant), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{participant.pseudonym}.json"'},
    )


@bp.route("/programmes/participants/<int:participant_id>/erase", methods=["POST"])
@role_required(Role.OWNER)
def manage_participant_erase(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if participant.erased_at is not None:
        flash(_("This participant was already erased."), "info")
    else:
        people.erase(participant)
        flash(
            _(
                "Participant %(p)s erased: the contact link is gone; their answers stay in the totals anonymously.",
                p=participant.pseudonym,
            ),
            "success",
        )
    return _back("programmes.manage_participant", participant_id=participant.id)


# ---- public pages -----------------------------------------------------------------


def _public_programme(token: str, flag: str) -> Programme:
    programme = db.session.execute(db.select(Programme).filter_by(public_token=token)).scalar_one_or_none()
    if programme is None or not getattr(programme, flag):
        abort(404)
    return programme


def _public_key():
    return f"{request.remote_addr}|{request.view_args.get('token') if request.view_args else ''}"


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def display_checkin(token: str):
    activity = db.session.execute(db.select(Activity).filter_by(checkin_token=token)).scalar_one_or_none()
    if activity is None:
        abort(404)
    form = forms.CheckInForm()
    done = None
    status = 200
    if request.method == "POST":
        if not activity.checkin_open:
            abort_with(410, _("Check-in for this activity is closed."))
        if form.validate_on_submit():
            if form.website.data:  # honeypot: pretend it worked
                return _back("programmes.display_checkin", token=token, done=1)
            try:
                pseudonym, _new = services.check_in(activity, form.identity.data)
            except people.IdentityError as error:
                form.identity.errors.append(str(error))
                status = 400
            else:
                return _back("programmes.display_checkin", token=token, done=1)
        else:
            status = 400
    if request.args.get("done"):
        done = True
    return render_template("programmes/checkin.html", activity=activity, form=form, done=done), status


@bp.route("/p/<token>/feedback", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"], key_func=_public_key)
def display_feedback_form(token: str):
    programme = _public_programme(token, "feedback_form_enabled")
    form = forms.PublicFeedbackForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not form.website.data:  # honeypot filled: drop silently
                services.add_feedback(programme, text=form.text.data, source=FeedbackSource.FORM.value)
            return _back("programmes.display_feedback_form", token=token, sent=1)
        status = 400
    return render_template(
        "programmes/public_feedback.html", programme=programme, form=form, sent=bool(request.args.get("sent"))
    ), status


@bp.route("/p/<token>")
def display_you_said(token: str):
    programme = _public_programme(token, "public_page_enabled")
    k = db.session.get(Organisation, programme.organisation_id).privacy_min_cell
    actions = (
        db.session.execute(
            db.select(FollowUpAction)
            .filter_by(programme_id=programme.id, published=True)
            .order_by(FollowUpAction.action_date.desc())
        )
        .scalars()
        .all()
    )
    # Each action shows the feedback it answers only when at least k items back it,
    # so a single resident's words cannot be singled out.
    return render_template("programmes/you_said.html", programme=programme, actions=actions, k=k)
