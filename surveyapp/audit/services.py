"""Write audit events in the transaction of the action they describe.

Services call ``record`` just before their own commit: a refused action
raises before it (no event), a rolled-back one takes its event with it, and
no caller (page, API, CLI) can do the action without writing the event.
An action that is itself a read (a download) uses ``record_now``.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_login import current_user

from ..extensions import db
from .models import Action, AuditEvent


def current_actor() -> tuple[str, int | None, int | None]:
    """(kind, user id, API token id) of whoever makes this request; the
    system outside a request (a CLI command or a worker)."""
    if not has_request_context():
        return "system", None, None
    token = g.get("api_token")
    if token is not None:
        return "token", None, token.id
    if current_user.is_authenticated:
        return "user", current_user.id, None
    return "system", None, None


def record(action: Action, subject: Any, **detail: Any) -> AuditEvent:
    """Add an event about ``subject`` (a model with ``organisation_id``) to
    the session, uncommitted. ``detail`` is small and JSON: no contact data
    of residents (an erased participant is named by pseudonym only)."""
    kind, user_id, token_id = current_actor()
    if subject.id is None:  # just created: its id comes with the flush
        db.session.flush()
    event = AuditEvent(
        organisation_id=subject.organisation_id,
        user_id=user_id,
        api_token_id=token_id,
        actor_kind=kind,
        action=Action(action).value,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        detail=detail,
    )
    db.session.add(event)
    return event


def record_now(action: Action, subject: Any, **detail: Any) -> AuditEvent:
    """``record`` and commit, for actions that write nothing else."""
    event = record(action, subject, **detail)
    db.session.commit()
    return event
