"""Organisation writes: creation, invitations, membership changes."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app

from .. import audit
from ..audit import Action
from ..database import utcnow
from ..extensions import db
from ..security import hash_token, new_token
from .models import Invitation, Membership, Organisation, Role


class MembershipError(ValueError):
    """A membership change that is not allowed; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "org"


def unique_slug(name: str) -> str:
    base = slugify(name)
    slug = base
    while db.session.execute(db.select(Organisation.id).filter_by(slug=slug)).first():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def create_organisation(name: str, slug: str | None = None) -> Organisation:
    organisation = Organisation(name=name.strip(), slug=slug or unique_slug(name))
    db.session.add(organisation)
    return organisation


def update_settings(
    organisation: Organisation, *, name: str, timezone: str, default_language: str, privacy_min_cell: int
) -> None:
    organisation.name = name.strip()
    organisation.timezone = timezone
    organisation.default_language = default_language
    organisation.privacy_min_cell = privacy_min_cell
    db.session.commit()


def invite(organisation: Organisation, email: str, role: Role, invited_by) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the clear token (shown once)."""
    token = new_token()
    invitation = Invitation(
        organisation=organisation,
        email=email.strip().lower(),
        role=role.value,
        token_hash=hash_token(token),
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    audit.record(Action.INVITATION_SENT, invitation, email=invitation.email, role=invitation.role)
    db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """An invitation that can still be accepted, or None."""
    invitation = db.session.execute(db.select(Invitation).filter_by(token_hash=hash_token(token))).scalar_one_or_none()
    if invitation is None or invitation.accepted_at or invitation.revoked_at or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, user) -> Membership:
    """Join the organisation; the invited address must be the user's own."""
    if user.email.lower() != invitation.email:
        raise MembershipError("wrong-user")
    membership = db.session.execute(
        db.select(Membership).filter_by(user_id=user.id, organisation_id=invitation.organisation_id)
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=invitation.organisation_id, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.commit()
    return membership


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.revoked_at is None:
        audit.record(Action.INVITATION_REVOKED, invitation, email=invitation.email, role=invitation.role)
    invitation.revoked_at = utcnow()
    db.session.commit()


def owners_count(organisation_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Membership)
        .filter_by(organisation_id=organisation_id, role=Role.OWNER.value)
    ).scalar_one()


def change_role(membership: Membership, role: Role) -> None:
    if membership.role == Role.OWNER.value and role != Role.OWNER and owners_count(membership.organisation_id) <= 1:
        raise MembershipError("last-owner")
    if membership.role != role.value:
        audit.record(
            Action.MEMBER_ROLE_CHANGED, membership, name=membership.user.name, old=membership.role, new=role.value
        )
    membership.role = role.value
    db.session.commit()


def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER.value and owners_count(membership.organisation_id) <= 1:
        raise MembershipError("last-owner")
    audit.record(Action.MEMBER_REMOVED, membership, name=membership.user.name, role=membership.role)
    db.session.delete(membership)
    db.session.commit()
