"""The owner's page of the audit log, under the organisation settings."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..access import current_org, role_required
from ..orgs.models import Role
from . import labels, queries
from .models import Action

bp = Blueprint("audit", __name__, url_prefix="/org")
PER_PAGE = 50


@bp.get("/audit")
@role_required(Role.OWNER)
def manage_events():
    organisation = current_org()
    # An unknown action or page number is not an error: it shows everything,
    # or the nearest page, as the pager of the invitations page does.
    try:
        action = Action(request.args.get("action", ""))
    except ValueError:
        action = None
    events, pages, page = queries.page_of(organisation.id, action, request.args.get("page", 1, type=int) or 1, PER_PAGE)
    return render_template(
        "audit/events.html",
        organisation=organisation,
        rows=[(event, labels.label(event), labels.actor(event), labels.describe(event)) for event in events],
        actions=[(item.value, str(labels.LABELS[item])) for item in Action],
        action=action.value if action else "",
        page=page,
        pages=pages,
    )
