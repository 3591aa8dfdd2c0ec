"""Submission ids, the respondent form token, resume tokens and client hashes.

The respondent form does not use the session-bound Flask-WTF token: a
resident who answers over two hours on a phone that drops its session
cookie (or inside a third-party iframe, where SameSite cookies are not
sent) must not lose answers to a CSRF failure. Instead every answering form
carries a server-generated submission id and a signature of it (with the
survey id and the time the first page was served; surveyapp/signing.py, so
it survives a rotation of SECRET_KEY):

- a forged or foreign submission id fails the HMAC, so nothing is stored;
- the token never expires, and needs no session, so slow residents are safe;
- a cross-site page cannot make a browser submit answers under an id the
  server issued to someone else, and the form carries no ambient authority
  (no login): forcing someone to answer a public survey gains nothing that
  submitting it directly would not.

The resume token is derived from the submission id with a second signature,
so a double click on the first page (two requests, one response row) lands
both requests on the same resume link; only its SHA-256 hash is stored, and
``resume_token_for`` repeats the one that hash belongs to (signed under an
older key, or in the legacy form, it is still the resident's link).
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from typing import TYPE_CHECKING

from flask import current_app

from .. import signing
from ..security import hash_token

if TYPE_CHECKING:
    from .models import Response
    from .outcomes import NewResponse

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# A token issued "in the future" by more than this is not ours.
CLOCK_SKEW = 300
RESUME_LENGTH = 32


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def new_submission_id() -> str:
    return str(uuid.uuid4())


def is_submission_id(value: str | None) -> bool:
    return value is not None and bool(UUID_RE.match(value))


def form_token(survey_id: int, submission_id: str, issued: int | None = None) -> str:
    """``<issued unix time>.<signature>``; the issue time becomes started_at."""
    issued = int(time.time()) if issued is None else int(issued)
    return f"{issued}.{signing.mac(signing.FORM, f'{survey_id}|{submission_id}|{issued}')}"


def check_form_token(survey_id: int, submission_id: str | None, token: str | None) -> int | None:
    """The issue time if ``token`` was issued by us for this survey and
    submission id, else None."""
    if not is_submission_id(submission_id) or not token or "." not in token:
        return None
    issued_text, _, mac = token.partition(".")
    if not issued_text.isdigit() or len(issued_text) > 12:
        return None
    issued = int(issued_text)
    if issued > time.time() + CLOCK_SKEW:
        return None
    return issued if signing.matches(signing.FORM, f"{survey_id}|{submission_id}|{issued}", mac) else None


def resume_token(submission_id: str) -> str:
    """The resume token of a new response (current key)."""
    return signing.mac(signing.RESUME, submission_id, RESUME_LENGTH)


def resume_token_for(response: Response | NewResponse) -> str:
    """The resume token already handed out for ``response``."""
    return signing.stored(signing.RESUME, response.submission_id, response.resume_token_hash, RESUME_LENGTH)


def resume_token_hash(token: str) -> str:
    return hash_token(token)


def address_hash(address: str | None) -> str | None:
    """Salted SHA-256 of an IP address (salt = SECRET_KEY): lets organisers
    spot floods from one address without keeping the address."""
    if not address:
        return None
    return hashlib.sha256(_key() + b"|ip|" + address.encode()).hexdigest()


def browser_hash(browser_id: str | None) -> str | None:
    if not browser_id:
        return None
    return hashlib.sha256(_key() + b"|browser|" + browser_id.encode()).hexdigest()
