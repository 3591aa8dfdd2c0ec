"""The owner's participant pages: find a person, see and download everything
held about them, erase them on request. Owners only: a participant list is
contact data, and erasure cannot be undone.

The URLs stay under /programmes/participants, where they were first given out.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import audit
from ..access import current_org, get_owned_or_404, role_required
from ..errors import abort_with
from ..orgs.models import Role
from . import forms, queries, services
from .identity import IdentityError
from .models import Participant

bp = Blueprint("participants", __name__, url_prefix="/programmes/participants")


@bp.route("", methods=["GET", "POST"])
@role_required(Role.OWNER)
def manage_lookup():
    form = forms.ParticipantLookupForm()
    if form.validate_on_submit():
        try:
            participant = queries.find(current_org(), form.identity.data)
        except IdentityError as error:
            form.identity.errors.append(str(error))
        else:
            if participant is None:
                abort_with(
                    404,
                    _(
                        "No participant is known by this phone number, e-mail address or pseudonym in your organisation. Nothing was changed."
                    ),
                )
            return redirect(url_for("participants.manage_participant", participant_id=participant.id)), 303
    return render_template("participants/lookup.html", form=form), (400 if form.errors else 200)


@bp.route("/<int:participant_id>")
@role_required(Role.OWNER)
def manage_participant(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    data = queries.export(participant)
    return render_template(
        "participants/participant.html", participant=participant, data=data, confirm=forms.ConfirmForm()
    )


@bp.route("/<int:participant_id>/export.json")
@role_required(Role.OWNER)
def manage_export(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    body = json.dumps(queries.export(participant), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{participant.pseudonym}.json"'},
    )


@bp.route("/<int:participant_id>/erase", methods=["POST"])
@role_required(Role.OWNER)
def manage_erase(participant_id: int):
    participant = get_owned_or_404(Participant, participant_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if participant.erased_at is not None:
        flash(_("This participant was already erased."), "info")
    else:
        audit.record(audit.Action.PARTICIPANT_ERASED, participant, pseudonym=participant.pseudonym)
        services.erase(participant)
        flash(
            _(
                "Participant %(p)s erased: the contact link is gone; their answers stay in the totals anonymously.",
                p=participant.pseudonym,
            ),
            "success",
        )
    return redirect(url_for("participants.manage_participant", participant_id=participant.id)), 303
