"""Organisation pages: members, invitations, switching, settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..access import current_org, get_owned_or_404, role_required
from ..accounts import services as account_services
from ..accounts.forms import JoinForm
from ..extensions import db
from ..links import external_url
from ..mail import send_mail
from . import services
from .forms import ConfirmForm, InviteForm, RoleForm, SettingsForm, SwitchForm
from .models import Invitation, Membership, Role

bp = Blueprint("orgs", __name__, url_prefix="/org")

MEMBERSHIP_ERRORS = {
    "last-owner": lambda: _("An organisation needs at least one owner. Make someone else owner first."),
    "wrong-user": lambda: _(
        "This invitation was sent to another e-mail address. Log in with that address to accept it."
    ),
}


@bp.route("/members")
@role_required(Role.VIEWER)
def manage_members():
    organisation = current_org()
    memberships = (
        db.session.execute(db.select(Membership).filter_by(organisation_id=organisation.id).order_by(Membership.id))
        .scalars()
        .all()
    )
    invitations = (
        db.session.execute(
            db.select(Invitation)
            .filter_by(organisation_id=organisation.id, accepted_at=None, revoked_at=None)
            .order_by(Invitation.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "orgs/members.html",
        organisation=organisation,
        memberships=memberships,
        invitations=invitations,
        invite_form=InviteForm(),
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/members/invite", methods=["POST"])
@role_required(Role.OWNER)
def manage_invite():
    organisation = current_org()
    form = InviteForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("orgs.manage_members")), 303
    invitation, token = services.invite(organisation, form.email.data, Role(form.role.data), current_user)
    link = external_url("orgs.join", token=token)
    send_mail(
        invitation.email,
        _("You are invited to %(org)s on Suara", org=organisation.name),
        _(
            "%(name)s invites you to join %(org)s on Suara. Open this link within 7 days:\n%(link)s",
            name=current_user.name,
            org=organisation.name,
            link=link,
        ),
    )
    # The link is shown once so it can also be shared by WhatsApp.
    session["last_invite_link"] = link
    flash(_("Invitation created for %(email)s.", email=invitation.email), "success")
    return redirect(url_for("orgs.manage_members")), 303


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@role_required(Role.OWNER)
def manage_revoke_invitation(invitation_id: int):
    invitation = get_owned_or_404(Invitation, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_invitation(invitation)
    flash(_("Invitation withdrawn."), "info")
    return redirect(url_for("orgs.manage_members")), 303


@bp.route("/members/<int:membership_id>/role", methods=["POST"])
@role_required(Role.OWNER)
def manage_change_role(membership_id: int):
    membership = get_owned_or_404(Membership, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "error")
        return redirect(url_for("orgs.manage_members")), 303
    try:
        services.change_role(membership, Role(form.role.data))
    except services.MembershipError as error:
        flash(MEMBERSHIP_ERRORS[error.code](), "error")
    else:
        flash(_("Role changed."), "success")
    return redirect(url_for("orgs.manage_members")), 303


@bp.route("/members/<int:membership_id>/remove", methods=["POST"])
@role_required(Role.OWNER)
def manage_remove_member(membership_id: int):
    membership = get_owned_or_404(Membership, membership_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_member(membership)
    except services.MembershipError as error:
        flash(MEMBERSHIP_ERRORS[error.code](), "error")
    else:
        flash(_("Member removed."), "success")
    return redirect(url_for("orgs.manage_members")), 303


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.OWNER)
def manage_settings():
    organisation = current_org()
    form = SettingsForm(obj=organisation)
    if form.validate_on_submit():
        services.update_settings(
            organisation,
            name=form.name.data,
            timezone=form.timezone.data,
            default_language=form.default_language.data,
            privacy_min_cell=form.privacy_min_cell.data,
        )
        flash(_("Settings saved."), "success")
        return redirect(url_for("orgs.manage_settings")), 303
    status = 422 if form.is_submitted() else 200
    return render_template("orgs/settings.html", form=form, organisation=organisation), status


@bp.route("/switch", methods=["POST"])
@login_required
def switch():
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    if not any(m.organisation_id == form.organisation_id.data for m in current_user.memberships):
        abort(404)
    session["org_id"] = form.organisation_id.data
    return redirect(url_for("core.dashboard")), 303


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template("orgs/join_invalid.html"), 404
    if current_user.is_authenticated:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                services.accept_invitation(invitation, current_user)
            except services.MembershipError as error:
                flash(MEMBERSHIP_ERRORS[error.code](), "error")
                return render_template("orgs/join.html", invitation=invitation, form=form), 403
            session["org_id"] = invitation.organisation_id
            flash(_("You have joined %(org)s.", org=invitation.organisation.name), "success")
            return redirect(url_for("core.dashboard")), 303
        return render_template("orgs/join.html", invitation=invitation, form=form)
    existing = account_services.find_user(invitation.email)
    form = JoinForm()
    if existing is None and form.validate_on_submit():
        user = account_services.create_account(form.name.data, invitation.email, form.password.data)
        services.accept_invitation(invitation, user)
        login_user(user)
        session["org_id"] = invitation.organisation_id
        flash(_("Welcome! You have joined %(org)s.", org=invitation.organisation.name), "success")
        return redirect(url_for("core.dashboard")), 303
    status = 422 if form.is_submitted() else 200
    return render_template(
        "orgs/join.html",
        invitation=invitation,
        form=form,
        existing=existing,
        login_url=url_for("accounts.login", next=request.path),
    ), status
