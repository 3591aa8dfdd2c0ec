"""Feedback and the follow-up actions that answer it."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ...access import current_role, get_owned_or_404, role_required
from ...database import utcnow
from ...extensions import db
from ...links import external_url
from ...orgs.models import Role
from .. import forms, services
from ..models import FeedbackItem, FeedbackSource, FollowUpAction, Programme
from .common import _back, _flash_errors, _programme, bp


@bp.route("/programmes/<int:programme_id>/feedback")
@role_required(Role.VIEWER)
def manage_feedback(programme_id: int):
    programme = _programme(programme_id)
    services.sync_feedback_if_backlog(programme)
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
