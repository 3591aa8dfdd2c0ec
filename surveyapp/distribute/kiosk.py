"""Kiosk links: ``/k/<public token>.<key>``, the key an HMAC of the survey.

The key is derived (HMAC with SECRET_KEY over the survey id and its public
token), so nothing is stored, the link is shown only to editors, and it
stops working when the survey gets a new public link. The public token
alone does not open a kiosk, so nobody can label their answers "kiosk".
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

from ..surveys.models import Survey

KEY_LENGTH = 16


def key_for(survey: Survey) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"kiosk|{survey.id}|{survey.public_token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:KEY_LENGTH]


def token_for(survey: Survey) -> str:
    return f"{survey.public_token}.{key_for(survey)}"


def split(token: str | None) -> tuple[str, str] | None:
    """(public token, key) from a kiosk token, or None when malformed."""
    if not token or len(token) > 64 or "." not in token:
        return None
    public, _, key = token.rpartition(".")
    if not public or len(key) != KEY_LENGTH:
        return None
    return public, key


def matches(survey: Survey, key: str) -> bool:
    return hmac.compare_digest(key_for(survey), key)
