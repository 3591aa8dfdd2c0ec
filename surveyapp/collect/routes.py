"""Respondent pages (display_*) and distribution pages (manage_*).

Resident URLs (all work without JavaScript or a session):
  GET  /s/<token>                 the first page (``?lang=``, ``?src=qr``)
  GET  /s/<token>/embed           the same, framable, channel "embed"
  POST /s/<token>                 a submitted page (any page)
  GET  /s/<token>/r/<resume>      continue a response (``?page=n``)
  GET  /s/<token>/thanks          the thank-you page (``?r=<resume>``)
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from ..extensions import csrf, limiter
from ..responses.models import Channel
from ..wrappers import cleans_own_text
from . import flow as answering_flow

bp = Blueprint("collect", __name__)

# Answering forms are small; a resident's whole page of long answers fits
# well within this, and a flood of large bodies is refused early.
DEFAULT_MAX_BODY = 256 * 1024


def _address_limit() -> str:
    # Generous: Indonesian mobile carriers put many phones behind one
    # address (carrier-grade NAT).
    return current_app.config.get("RESPOND_RATE_LIMIT", "60 per minute")


def _link_limit() -> str:
    return current_app.config.get("RESPOND_LINK_RATE_LIMIT", "600 per minute")


def _link_key() -> str:
    return "link:" + str((request.view_args or {}).get("token", ""))


@bp.before_request
def limit_body_size():
    if request.endpoint and request.endpoint.startswith("collect.display_"):
        limit = current_app.config.get("RESPOND_MAX_CONTENT_LENGTH", DEFAULT_MAX_BODY)
        request.max_content_length = limit
        request.max_form_memory_size = limit


@bp.errorhandler(TooManyRequests)
def too_many(error):
    return answering_flow.unavailable(_survey_from_url(), "busy")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    return answering_flow.unavailable(_survey_from_url(), "too_large")


def _survey_from_url():
    token = (request.view_args or {}).get("token")
    return answering_flow.load_survey(token) if token else None


@bp.get("/s/<token>")
def display_survey(token: str):
    return answering_flow.show_start(token)


@bp.get("/s/<token>/embed")
def display_embed(token: str):
    return answering_flow.show_start(token, replace(answering_flow.LINK, channel=Channel.EMBED.value, embed=True))


# The respondent form carries its own HMAC token instead of the
# session-bound CSRF token (see responses/tokens.py for why).
@bp.post("/s/<token>")
@cleans_own_text  # answers pass through clean_text, which drops NUL
@csrf.exempt
@limiter.limit(_link_limit, key_func=_link_key, methods=["POST"], scope="respond-link")
@limiter.limit(_address_limit, methods=["POST"], scope="respond-address")
def display_submit(token: str):
    return answering_flow.handle_submit(token)


@bp.get("/s/<token>/r/<resume>")
def display_resume(token: str, resume: str):
    return answering_flow.show_resume(token, resume)


@bp.get("/s/<token>/thanks")
def display_thanks(token: str):
    return answering_flow.show_thanks(token)
