"""HTTP security headers and small helpers for safe redirects and tokens."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import g, request

# Respondent pages may opt in to being framed (the embed snippet) by
# setting g.allow_framing; everything else refuses to be framed.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {frame}"
)


def add_headers(response):
    frame = "*" if getattr(g, "allow_framing", False) else "'none'"
    response.headers.setdefault("Content-Security-Policy", CSP.format(frame=frame))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not getattr(g, "allow_framing", False):
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.pop("Server", None)
    return response


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: blocks open redirects like //evil.com.

    Any control character or line separator is refused too: CR/LF would split
    the Location header (Werkzeug raises, a 500), and browsers drop tabs and
    newlines from URLs, so "/\\t/evil.com" would become "//evil.com"."""
    if not target or any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in target):
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def safe_next(default: str) -> str:
    """The ``next`` parameter if it is a safe local path, else ``default``: the one
    reader of ``next`` for every redirect."""
    target = request.values.get("next")
    return target if is_safe_next(target) else default


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
