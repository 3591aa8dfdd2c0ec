"""Submission ids, the respondent form token, resume tokens and client hashes.

The respondent form does not use the session-bound Flask-WTF token: a
resident who answers over two hours on a phone that drops its session
cookie (or inside a third-party iframe, where SameSite cookies are not
sent) must not lose answers to a CSRF failure. Instead every answering form
carries a server-generated submission id and an HMAC of it (with the survey
id and the time the first page was served), keyed with SECRET_KEY:

- a forged or foreign submission id fails the HMAC, so nothing is stored;
- the token never expires, and needs no session, so slow residents are safe;
- a cross-site page cannot make a browser submit answers under an id the
  server issued to someone else, and the form carries no ambient authority
  (no login): forcing someone to answer a public survey gains nothing that
  submitting it directly would not.

The resume token is derived from the submission id with a second HMAC, so a
double click on the first page (two requests, one response row) lands both
requests on the same resume link; only its SHA-256 hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import uuid

from flask import current_app

from ..security import hash_token

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# A token issued "in the future" by more than this is not ours.
CLOCK_SKEW = 300


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _mac(message: str) -> str:
    digest = hmac.new(_key(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_submission_id() -> str:
    return str(uuid.uuid4())


def is_submission_id(value: str | None) -> bool:
    return value is not None and bool(UUID_RE.match(value))


def form_token(survey_id: int, submission_id: str, issued: int | None = None) -> str:
    """``<issued unix time>.<hmac>``; the issue time becomes started_at."""
    issued = int(time.time()) if issued is None else int(issued)
    return f"{issued}.{_mac(f'form|{survey_id}|{submission_id}|{issued}')}"


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
    expected = _mac(f"form|{survey_id}|{submission_id}|{issued}")
    return issued if hmac.compare_digest(expected, mac) else None


def resume_token(submission_id: str) -> str:
    return _mac(f"resume|{submission_id}")[:32]


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
