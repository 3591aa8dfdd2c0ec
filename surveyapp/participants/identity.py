"""The one way a phone number or e-mail address becomes a participant's
identity hash, shared by invitations, check-ins and attendance lists.

HMAC-SHA256 of the normalised contact keyed with the organisation's
``participant_salt``: the same person gets the same hash whichever door
they came in by (so frequency and returning metrics count them once),
while a leaked hash cannot be matched across organisations or reversed
without the salt.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask_babel import gettext as _

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentityError(ValueError):
    """Not a phone number or an e-mail address."""


def normalise_identity(raw: str | None) -> str:
    """Lower-case e-mail, or an Indonesian phone number as digits starting 62
    (0812..., +62 812..., 62812... all give 62812...). Raises IdentityError."""
    text = (raw or "").strip()
    if "@" in text:
        text = text.lower()
        if not EMAIL.match(text) or len(text) > 254:
            raise IdentityError(_("Enter a phone number or an e-mail address."))
        return text
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise IdentityError(_("Enter a phone number or an e-mail address."))
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not 9 <= len(digits) <= 15:
        raise IdentityError(_("This phone number is too short or too long."))
    return digits


def identity_hash(salt: str, raw: str) -> str:
    """Raises IdentityError when ``raw`` is neither a phone nor an e-mail."""
    return hmac.new(salt.encode(), normalise_identity(raw).encode(), hashlib.sha256).hexdigest()
