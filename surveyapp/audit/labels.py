"""What the audit page says about an event, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import role_label
from .models import Action, AuditEvent

LABELS = {
    Action.SURVEY_PUBLISHED: _l("Survey published"),
    Action.SURVEY_CLOSED: _l("Survey closed"),
    Action.SURVEY_REOPENED: _l("Survey opened again"),
    Action.SURVEY_ARCHIVED: _l("Survey archived"),
    Action.SURVEY_RESTORED: _l("Survey restored from the archive"),
    Action.SURVEY_DELETED: _l("Survey deleted"),
    Action.MEMBER_ROLE_CHANGED: _l("Role changed"),
    Action.MEMBER_REMOVED: _l("Member removed"),
    Action.INVITATION_SENT: _l("Invitation sent"),
    Action.INVITATION_REVOKED: _l("Invitation withdrawn"),
    Action.EXPORT_DOWNLOADED: _l("Responses downloaded"),
    Action.PARTICIPANT_ERASED: _l("Participant erased"),
    Action.API_TOKEN_CREATED: _l("API token created"),
    Action.API_TOKEN_REVOKED: _l("API token revoked"),
    Action.WEBHOOK_CREATED: _l("Webhook added"),
    Action.WEBHOOK_DELETED: _l("Webhook removed"),
}


def label(event: AuditEvent) -> str:
    action = event.action_enum
    return str(LABELS[action]) if action is not None else event.action


def actor(event: AuditEvent) -> str:
    if event.user is not None:
        return event.user.name
    if event.api_token is not None:
        return _("API token %(name)s", name=event.api_token.name)
    if event.actor_kind == "system":
        return _("Suara (a command on the server)")
    return _("a deleted account")


def describe(event: AuditEvent) -> str:
    """The object and what changed, from the stored detail."""
    d = event.detail or {}
    action = event.action_enum
    if event.subject_type == "surveys":
        if action == Action.EXPORT_DOWNLOADED:
            return _(
                "%(format)s of “%(survey)s”, %(rows)s responses requested",
                format=str(d.get("format", "")).upper(),
                survey=d.get("title", ""),
                rows=d.get("rows", "?"),
            )
        return _("“%(title)s”", title=d.get("title", ""))
    if action == Action.MEMBER_ROLE_CHANGED:
        return _(
            "%(name)s: %(old)s → %(new)s",
            name=d.get("name", ""),
            old=role_label(d.get("old", "")),
            new=role_label(d.get("new", "")),
        )
    if action == Action.MEMBER_REMOVED:
        return _("%(name)s (%(role)s)", name=d.get("name", ""), role=role_label(d.get("role", "")))
    if event.subject_type == "invitations":
        return _("%(name)s (%(role)s)", name=d.get("email", ""), role=role_label(d.get("role", "")))
    if event.subject_type == "participants":
        return d.get("pseudonym", "")
    if event.subject_type == "api_tokens":
        return _("%(name)s (%(role)s)", name=d.get("name", ""), role=d.get("scope", ""))
    if event.subject_type == "webhooks":
        return d.get("host", "")
    return ""
