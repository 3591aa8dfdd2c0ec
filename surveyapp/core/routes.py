"""Landing page, organiser dashboard, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from ..access import current_org, load_membership, role_required
from ..extensions import db
from ..orgs.forms import SwitchForm
from ..orgs.models import Membership, Role
from ..security import safe_next

bp = Blueprint("core", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return render_template("core/index.html")


@bp.route("/dashboard")
@role_required(Role.VIEWER)
def dashboard():
    organisation = current_org()
    member_count = db.session.execute(
        db.select(db.func.count()).select_from(Membership).filter_by(organisation_id=organisation.id)
    ).scalar_one()
    return render_template(
        "core/dashboard.html",
        organisation=organisation,
        membership=load_membership(),
        member_count=member_count,
        switch_form=SwitchForm(),
    )


@bp.route("/lang/<code>")
def set_language(code: str):
    """A plain link (no JavaScript, no form) so it works on every page."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(url_for("core.index")))


@bp.route("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return jsonify(status="ok")
