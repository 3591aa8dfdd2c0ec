"""AuditEvent: one organiser action, with its actor, subject and a small detail."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class Action(str, enum.Enum):
    """The one list of audited actions. The values are stored: keep them
    stable (add new ones, never rename); labels.py says them to people."""

    SURVEY_PUBLISHED = "survey.published"
    SURVEY_CLOSED = "survey.closed"
    SURVEY_REOPENED = "survey.reopened"
    SURVEY_ARCHIVED = "survey.archived"
    SURVEY_RESTORED = "survey.restored"
    SURVEY_DELETED = "survey.deleted"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    INVITATION_SENT = "invitation.sent"
    INVITATION_REVOKED = "invitation.revoked"
    EXPORT_DOWNLOADED = "export.downloaded"
    PARTICIPANT_ERASED = "participant.erased"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_DELETED = "webhook.deleted"


class AuditEvent(db.Model):
    """Who did what to which object, and when.

    The subject is named by type (its table) and id without a foreign key, so
    the event outlives a deleted survey or a removed member; ``detail`` keeps
    what a reader needs then (a title, the old and new role). Actor: the user,
    or the API token when a program acted (user_id empty), or neither for the
    system (a CLI command); ``actor_kind`` says which, so an event keeps telling
    a person from the system after the account or token is deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_organisation_id_created_at", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(String(8))  # user | token | system
    action: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    api_token = relationship("ApiToken")

    @property
    def action_enum(self) -> Action | None:
        try:
            return Action(self.action)
        except ValueError:  # a code from a newer release, read by an older one
            return None
