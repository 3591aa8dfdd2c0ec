"""Every token Suara signs, in one place: itsdangerous, a salt per purpose,
and key rotation through ``SECRET_KEY_FALLBACKS``.

Keys. Tokens are signed with ``SECRET_KEY`` and accepted under it and
under every key in ``SECRET_KEY_FALLBACKS`` (Flask 3.1's name, which the
session cookie honours too). Rotating means: move the old key into the
fallbacks, set a new ``SECRET_KEY``; whatever was signed before keeps
working until the old key leaves the list (README, "Rotating the secret
key").

Purposes. Each purpose has its own salt, so a token made for one thing (a
kiosk key) is refused for another (a form token) even over the same text.

Two shapes of token:

- serialized, with a payload and the time it was signed (sign-up,
  password reset, the known-browser cookie): ``serializer(purpose)``;
- derived: a signature over fields the server already knows, cut short
  where a link should stay short (form token, resume token, invitation
  link, kiosk key): ``mac`` makes one under the current key, ``macs``
  lists it under every key, ``matches`` checks one.

Legacy. Until this module, derived tokens were a bare HMAC-SHA256 of
``"<prefix>|<text>"`` keyed with SECRET_KEY itself. Such tokens are out
there for as long as the surveys they open run (mailed invitations, kiosk
posters, form pages left open for days), so ``macs`` also lists that form,
under every key. Drop ``Purpose.legacy`` once no survey begun before the
upgrade is still collecting.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from itsdangerous import Signer, URLSafeTimedSerializer

from .security import hash_token


@dataclass(frozen=True)
class Purpose:
    salt: str
    # The message prefix of the pre-itsdangerous derived token, if any.
    legacy: str | None = None


FORM = Purpose("suara-form-token", legacy="form")
RESUME = Purpose("suara-resume-token", legacy="resume")
INVITATION = Purpose("suara-invitation-link", legacy="survey-invitation")
KIOSK = Purpose("suara-kiosk-key", legacy="kiosk")
# Serialized tokens kept their salts (and itsdangerous' defaults), so
# links and cookies signed before this module verify unchanged.
SIGNUP = Purpose("suara-signup-confirm")
PASSWORD_RESET = Purpose("suara-password-reset")
KNOWN_BROWSER = Purpose("suara-known-browser")


def secret_keys() -> list[str]:
    """Oldest first, the current SECRET_KEY last (itsdangerous' order)."""
    config = current_app.config
    fallbacks = [str(key) for key in config.get("SECRET_KEY_FALLBACKS") or () if key]
    return [*fallbacks, str(config["SECRET_KEY"])]


def serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    """Signs with SECRET_KEY; ``loads`` accepts any key in the list."""
    return URLSafeTimedSerializer(secret_keys(), salt=purpose.salt)


def _signer(key: str, purpose: Purpose) -> Signer:
    return Signer(key, salt=purpose.salt, digest_method=hashlib.sha256)


def _legacy_signer(key: str) -> Signer:
    # key_derivation="none": the key itself keys the HMAC, as the old
    # hand-made tokens did, so their signature comes out byte for byte.
    return Signer(key, key_derivation="none", digest_method=hashlib.sha256)


def mac(purpose: Purpose, text: str, length: int | None = None) -> str:
    """The derived token of ``text`` under the current SECRET_KEY."""
    return _signer(secret_keys()[-1], purpose).get_signature(text).decode()[:length]


def macs(purpose: Purpose, text: str, length: int | None = None) -> list[str]:
    """The derived token under every key, the current one first, then the
    fallbacks (newest first), then the legacy form under each."""
    keys = secret_keys()[::-1]
    found = [_signer(key, purpose).get_signature(text).decode()[:length] for key in keys]
    if purpose.legacy is not None:
        message = f"{purpose.legacy}|{text}"
        found += [_legacy_signer(key).get_signature(message).decode()[:length] for key in keys]
    return found


def matches(purpose: Purpose, text: str, token: str | None, length: int | None = None) -> bool:
    """Whether ``token`` is the derived token of ``text`` under any key."""
    if not token or not token.isascii():  # compare_digest refuses non-ASCII text with a TypeError
        return False
    # Every candidate is compared (constant time each), no early exit.
    results = [hmac.compare_digest(candidate, token) for candidate in macs(purpose, text, length)]
    return any(results)


def stored(purpose: Purpose, text: str, stored_hash: str | None, length: int | None = None) -> str:
    """The derived token of ``text`` whose sha256 is ``stored_hash`` (the one
    handed out when it was issued, under whichever key was current then),
    so a reminder or a resume link repeats the link the person already
    has. The current key's token when none matches."""
    for candidate in macs(purpose, text, length):
        if hash_token(candidate) == stored_hash:
            return candidate
    return mac(purpose, text, length)
