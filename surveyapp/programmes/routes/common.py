"""The one programme blueprint and the helpers its page modules share (their
names kept from the single routes module they came from, so the views moved
unchanged). Here, not in __init__, so no page module imports its package back."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from ...access import get_owned_or_404
from ...database import utcnow
from ...errors import abort_with
from ..models import Programme
from ..windows import WindowError, parse_window, window_of

bp = Blueprint("programmes", __name__.rpartition(".")[0])


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
