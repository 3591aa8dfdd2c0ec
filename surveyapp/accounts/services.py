"""Account writes: sign-up, password reset tokens, ending sessions."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import signing
from ..database import utcnow
from ..extensions import db
from ..orgs.models import Membership, Role
from ..orgs.services import create_organisation
from .models import User

SIGNUP_MAX_AGE = 24 * 3600


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


def make_signup_token(name: str, email: str, password: str, organisation_name: str | None) -> str:
    """The whole sign-up, signed, for the confirmation mail.

    Nothing is stored until the mailbox's owner opens the link: the form
    therefore answers alike whether or not the address has an account (no
    enumeration), and nobody can hold an address they cannot read. Only the
    password's hash travels, to the address that chose it.
    """
    user = User(email=email.strip().lower())
    user.set_password(password)
    payload = {"name": name.strip(), "email": user.email, "pw": user.password_hash, "org": organisation_name or ""}
    return signing.serializer(signing.SIGNUP).dumps(payload)


def read_signup_token(token: str) -> dict:
    """The sign-up a confirmation link carries; AccountError('expired'|'invalid')."""
    try:
        data = signing.serializer(signing.SIGNUP).loads(token, max_age=SIGNUP_MAX_AGE)
    except SignatureExpired as exc:
        raise AccountError("expired") from exc
    except BadSignature as exc:
        raise AccountError("invalid") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("name", "email", "pw", "org")):
        raise AccountError("invalid")
    return data


def confirm_signup(token: str) -> User:
    """Create the account a confirmation link describes, once."""
    data = read_signup_token(token)
    if find_user(data["email"]) is not None:
        raise AccountError("used")
    user = User(email=data["email"], name=data["name"], password_hash=data["pw"])
    db.session.add(user)
    if data["org"]:
        organisation = create_organisation(data["org"])
        db.session.add(Membership(user=user, organisation=organisation, role=Role.OWNER.value))
    db.session.commit()
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return signing.serializer(signing.PASSWORD_RESET)


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
    db.session.execute(db.update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """A new password also ends every session opened with the old one."""
    user.set_password(password)
    end_all_sessions(user)
