"""API tokens: created and revoked by owners, stored hashed, shown once."""

from __future__ import annotations

import secrets

from .. import audit
from ..audit import Action
from ..database import utcnow
from ..extensions import db
from ..security import hash_token
from .models import ApiToken

PREFIX = "suara_"
SCOPES = ("read", "write")


def create(organisation_id: int, user_id: int | None, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token and its plain text (the only time it exists)."""
    if scope not in SCOPES:
        raise ValueError(scope)
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation_id,
        created_by_id=user_id,
        name=name.strip()[:80] or "API",
        scope=scope,
        token_hash=hash_token(plain),
        prefix=plain[:12],
    )
    db.session.add(token)
    audit.record(Action.API_TOKEN_CREATED, token, name=token.name, scope=token.scope)
    db.session.commit()
    return token, plain


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        audit.record(Action.API_TOKEN_REVOKED, token, name=token.name, scope=token.scope)
    token.revoked_at = token.revoked_at or utcnow()
    db.session.commit()


def authenticate(header: str | None) -> ApiToken | None:
    """The live token named by an ``Authorization: Bearer`` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    plain = header[len("Bearer ") :].strip()
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = db.session.execute(db.select(ApiToken).filter_by(token_hash=hash_token(plain))).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        return None
    return token


def rate_key() -> str:
    """Rate limits count per token (its hash), else per address."""
    from flask import request
    from flask_limiter.util import get_remote_address

    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hash_token(header[7:].strip())[:32]
    return "addr:" + (get_remote_address() or "")
