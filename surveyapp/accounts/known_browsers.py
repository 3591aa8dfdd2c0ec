"""Browsers that have logged in to an account before.

A signed cookie lists (hashes of) the accounts this browser has logged in
to. The login page's per-account limit does not apply to them, so a botnet
guessing one owner's password slows down everyone but the owner's own
browser. The cookie holds no address in clear and cannot be forged without
SECRET_KEY; it is not a credential (the password is still needed).
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import signing

COOKIE = "suara_known"
MAX_ACCOUNTS = 5
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return signing.serializer(signing.KNOWN_BROWSER)


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _accounts(cookie: str | None) -> list[str]:
    if not cookie:
        return []
    try:
        # Timed: a copied cookie stops exempting after MAX_AGE, whatever
        # the browser does with the cookie's own expiry.
        value = _serializer().loads(cookie, max_age=MAX_AGE)
    except BadSignature:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def knows(cookie: str | None, email: str) -> bool:
    return bool(email) and _digest(email) in _accounts(cookie)


def remember(response, cookie: str | None, email: str) -> None:
    digest = _digest(email)
    accounts = [digest] + [item for item in _accounts(cookie) if item != digest]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(accounts[:MAX_ACCOUNTS]),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
