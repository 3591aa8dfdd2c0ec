"""Kiosk links: ``/k/<public token>.<key>``, the key a signature of the survey.

The key is derived (surveyapp/signing.py, over the survey id and its public
token; a key signed before a rotation of SECRET_KEY still opens, so printed
posters outlive it), so nothing is stored, the link is shown only to editors, and it
stops working when the survey gets a new public link. The public token
alone does not open a kiosk, so nobody can label their answers "kiosk".
"""

from __future__ import annotations

from .. import signing
from ..surveys.models import Survey

KEY_LENGTH = 16


def _text(survey: Survey) -> str:
    return f"{survey.id}|{survey.public_token}"


def key_for(survey: Survey) -> str:
    return signing.mac(signing.KIOSK, _text(survey), KEY_LENGTH)


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
    return signing.matches(signing.KIOSK, _text(survey), key, KEY_LENGTH)
