"""What a submission did: the one answer of every submit service.

``services.submit_page`` (the link, embed, kiosk and invitation flow) and
``services.submit_whole`` (paper entry, the JSON API, the Kobo/ODK import)
return exactly one of these; callers map it to their reply (a redirect, a
page again, a JSON status, a report line) and never catch an exception for
an ordinary refusal.

Stored, Completed and Duplicate mean the submission was accepted for their
``response``; Invalid, Refused and BadToken mean nothing at all was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .models import Response

# Refused reasons beyond the availability states (availability.State values:
# unknown, not_yet_open, closed, full).
ONCE_PER_BROWSER = "once_per_browser"
HONEYPOT = "honeypot"  # a bot filled the invisible field
RESUME_INVALID = "resume_invalid"  # the resume token is unknown, or not this submission's
# The sent page cannot be answered now: hidden by skip logic, or a later page
# of a response that was never begun (``response`` is None then).
PAGE_NOT_AVAILABLE = "page_not_available"

# BadToken reasons.
FORGED = "forged"  # no valid form token (or a malformed submission id)
OTHER_SURVEY = "other_survey"  # the submission id belongs to another survey's response


@dataclass(frozen=True)
class NewResponse:
    """A response just inserted by the first page of the page flow, as its
    callers read it (no ORM object to build or track)."""

    id: int
    survey_id: int
    submission_id: str
    status: str
    channel: str
    language: str
    started_at: datetime
    resume_token_hash: str


ResponseRef = Response | NewResponse


@dataclass(frozen=True)
class Gap:
    """The first visible page whose stored answers fail their check, so the
    response could not complete: its number, answers and messages."""

    page: int
    raws: Mapping[str, object]
    errors: Mapping[str, str]


@dataclass(frozen=True)
class Stored:
    """The page was stored; the response is still partial. ``next_page`` is
    the page to show next (the one before it after Back). With ``gap`` the
    page was the last one but an earlier page is not answered well enough to
    complete: the resident is sent there."""

    response: ResponseRef
    next_page: int | None
    gap: Gap | None = None


@dataclass(frozen=True)
class Completed:
    """This call completed the response. ``resumed``: an incomplete response
    with this submission id existed and was completed (whole submissions)."""

    response: ResponseRef
    resumed: bool = False


@dataclass(frozen=True)
class Duplicate:
    """The submission id's response was complete already: nothing was
    written, whatever this copy carried; answer it like the first."""

    response: Response


@dataclass(frozen=True)
class Invalid:
    """Answers that cannot be stored: ``errors`` maps question code to a
    message, ``revealed`` lists questions the answers made visible on the
    same page (to be seen first). ``raws`` are the answers as given, to show
    again. Nothing was written."""

    errors: Mapping[str, str]
    raws: Mapping[str, object]
    page: int | None = None
    revealed: tuple[str, ...] = ()
    response: Response | None = None


@dataclass(frozen=True)
class Refused:
    """The survey does not take this submission now (``reason``: an
    availability state or one of the reasons above). Nothing was written."""

    reason: str
    response: Response | None = None


@dataclass(frozen=True)
class BadToken:
    """The form cannot be matched to a response it may write: a missing or
    forged form token or submission id, or an id of another survey. Nothing
    was written; ``raws`` and ``page`` are what was sent (over ``response``'s
    stored answers when a valid resume token named one)."""

    raws: Mapping[str, object] = field(default_factory=dict)
    page: int = 1
    response: Response | None = None
    reason: str = FORGED


SubmitOutcome = Stored | Completed | Duplicate | Invalid | Refused | BadToken
# The outcomes after which the response is the caller's to follow up
# (invitation progress, thanks): something was stored, or had been before.
Accepted = Stored | Completed | Duplicate
