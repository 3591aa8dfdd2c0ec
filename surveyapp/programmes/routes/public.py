"""The three public pages: an activity's check-in, the feedback form and
"you said, we did" (rate-limited; no login)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from ...errors import abort_with
from ...extensions import db, limiter
from ...orgs.models import Organisation
from ...participants.identity import IdentityError
from .. import forms, queries, services
from ..models import FeedbackSource, Programme
from .common import _back, bp


def _public_programme(token: str, flag: str) -> Programme:
    programme = queries.programme_by_token(token)
    if programme is None or not getattr(programme, flag):
        abort(404)
    return programme


def _public_key():
    return f"{request.remote_addr}|{request.view_args.get('token') if request.view_args else ''}"


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def display_checkin(token: str):
    activity = queries.activity_by_checkin_token(token)
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
            except IdentityError as error:
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
    actions = queries.published_actions(programme.id)
    # Each action shows the feedback it answers only when at least k items back it,
    # so a single resident's words cannot be singled out.
    return render_template("programmes/you_said.html", programme=programme, actions=actions, k=k)
