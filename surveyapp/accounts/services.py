"""Account writes: sign-up, password reset tokens, ending sessions."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..database import utcnow
from ..extensions import db
from ..orgs.models import Membership, Role
from ..orgs.services import create_organisation
from .models import User

RESET_SALT = "suara-password-reset"


class AccountError(ValueError):
    """A sign-up or reset request that cannot be carried out (message for the user)."""


def find_user(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()


def create_account(name: str, email: str, password: str, organisation_name: str | None = None) -> User:
    """Create a user and, when an organisation name is given, the organisation
    with the user as its owner. Raises AccountError on a duplicate e-mail."""
    email = email.strip().lower()
    if find_user(email) is not None:
        raise AccountError("duplicate-email")
    user = User(email=email, name=name.strip())
    user.set_password(password)
    db.session.add(user)
    if organisation_name:
        organisation = create_organisation(organisation_name)
        db.session.add(Membership(user=user, organisation=organisation, role=Role.OWNER.value))
    db.session.commit()
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    # Part of the current hash goes into the token, so it stops working as
    # soon as the password changes: a reset link is good for one use.
    return _serializer().dumps({"uid": user.id, "pw": user.password_hash[-16:]})


def user_from_reset_token(token: str) -> User:
    """Raises AccountError('expired') or AccountError('invalid')."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise AccountError("expired") from exc
    except BadSignature as exc:
        raise AccountError("invalid") from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-16:] != data.get("pw"):
        raise AccountError("invalid")
    return user


def end_all_sessions(user: User) -> None:
    """Every session opened so far for the user stops counting (auth.py
    compares the version stored in the session with this one). Atomic in
    SQL so two logouts at once both raise it."""
    db.session.execute(
        db.update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """A new password also ends every session opened with the old one."""
    user.set_password(password)
    end_all_sessions(user)
