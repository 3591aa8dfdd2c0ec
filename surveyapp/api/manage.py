"""Owner pages: API tokens (create, revoke; shown once) and webhooks
(register, remove, see deliveries that failed or wait for a retry, send
those that gave up again)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..access import current_org, get_owned_or_404, role_required
from ..extensions import db
from ..orgs.models import Role
from ..webhooks import queries as webhook_queries
from ..webhooks import services as webhook_services
from ..webhooks.models import Webhook
from . import tokens
from .models import ApiToken

bp = Blueprint("interop", __name__, url_prefix="/org")
NEW_TOKEN_KEY = "interop_new_token"
NEW_SECRET_KEY = "interop_new_secret"


@bp.get("/api-tokens")
@role_required(Role.OWNER)
def manage_tokens():
    organisation = current_org()
    rows = (
        db.session.execute(db.select(ApiToken).filter_by(organisation_id=organisation.id).order_by(ApiToken.id.desc()))
        .scalars()
        .all()
    )
    return render_template(
        "api/tokens.html", tokens=rows, new_token=session.pop(NEW_TOKEN_KEY, None), errors=[], name=""
    )


@bp.post("/api-tokens")
@role_required(Role.OWNER)
def manage_create_token():
    organisation = current_org()
    name = (request.form.get("name") or "").strip()
    scope = request.form.get("scope")
    errors = []
    if not name or len(name) > 80:
        errors.append(_("Give the token a name of up to 80 characters, e.g. the system that will use it."))
    if scope not in tokens.SCOPES:
        errors.append(_("Choose read or write."))
    if errors:
        rows = db.session.execute(db.select(ApiToken).filter_by(organisation_id=organisation.id)).scalars().all()
        return render_template("api/tokens.html", tokens=rows, new_token=None, errors=errors, name=name), 422
    _token, plain = tokens.create(organisation.id, current_user.id, name, scope)
    session[NEW_TOKEN_KEY] = plain
    return redirect(url_for("interop.manage_tokens"), 303)


@bp.post("/api-tokens/<int:token_id>/revoke")
@role_required(Role.OWNER)
def manage_revoke_token(token_id: int):
    tokens.revoke(get_owned_or_404(ApiToken, token_id))
    flash(_("Token revoked. Programs using it can no longer connect."), "success")
    return redirect(url_for("interop.manage_tokens"), 303)


def _webhook_page(errors=None, url="", status=200):
    organisation = current_org()
    hooks = (
        db.session.execute(db.select(Webhook).filter_by(organisation_id=organisation.id).order_by(Webhook.id))
        .scalars()
        .all()
    )
    return render_template(
        "api/webhooks.html",
        webhooks=hooks,
        counts=webhook_queries.counts(organisation.id),
        problems=webhook_queries.problems(organisation.id),
        errors=errors or [],
        url=url,
        new_secret=session.pop(NEW_SECRET_KEY, None),
    ), status


@bp.get("/webhooks")
@role_required(Role.OWNER)
def manage_webhooks():
    return _webhook_page()


@bp.post("/webhooks")
@role_required(Role.OWNER)
def manage_create_webhook():
    url = (request.form.get("url") or "").strip()
    try:
        webhook = webhook_services.create(current_org().id, current_user.id, url)
    except webhook_services.WebhookRefused as refused:
        return _webhook_page([str(refused)], url, 422)
    session[NEW_SECRET_KEY] = webhook.secret
    return redirect(url_for("interop.manage_webhooks"), 303)


@bp.post("/webhooks/<int:webhook_id>/delete")
@role_required(Role.OWNER)
def manage_delete_webhook(webhook_id: int):
    webhook_services.delete(get_owned_or_404(Webhook, webhook_id))
    flash(_("Webhook removed."), "success")
    return redirect(url_for("interop.manage_webhooks"), 303)


@bp.post("/webhooks/<int:webhook_id>/retry")
@role_required(Role.OWNER)
def manage_retry_webhook(webhook_id: int):
    count = webhook_services.retry_failed(get_owned_or_404(Webhook, webhook_id))
    if count:
        from ..jobs import jobs_for

        jobs = jobs_for()
        if jobs.enabled:
            jobs.tasks.send_webhooks()
    flash(ngettext("%(num)d delivery will be sent again.", "%(num)d deliveries will be sent again.", count), "success")
    return redirect(url_for("interop.manage_webhooks"), 303)
