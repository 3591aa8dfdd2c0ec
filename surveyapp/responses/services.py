"""Writing responses exactly once: start, save page by page, complete.

Used by the shared link, embed, kiosk, paper entry and the JSON API; the
functions take plain arguments (never ``request``) and own their
transactions.

Exactly once, in three rules:

1. A response is created by inserting its ``submission_id`` (unique). A
   concurrent or repeated insert fails on the constraint; the loser rolls
   back and continues with the row that won (``start_response``).
2. Every write to an existing response starts with
   ``UPDATE responses ... WHERE id = :id AND status = 'partial'``. That
   statement takes the row's write lock (PostgreSQL) or the database write
   lock (SQLite), so writes to one response run one after another; when it
   matches no row the response is already complete and the call is a no-op
   (a second "send" completes nothing twice).
3. A page's answers replace that response's rows for the page's questions
   in the same transaction as rule 2, so a repeated page never doubles rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, delete, exc, update

from ..database import utcnow
from ..extensions import db
from ..questions import get_type
from ..surveys.models import Survey
from . import answering, tokens
from .availability import State, complete_count, state
from .models import Answer, Channel, Response, ResponseStatus

USER_AGENT_MAX = 256
FLAG_TOO_FAST = "too_fast"
FLAG_DUPLICATE = "possible_duplicate"


class ValidationFailed(ValueError):
    """Answers that cannot be stored; ``errors`` maps question code to a
    message for the resident. Nothing was written."""

    def __init__(self, errors: dict[str, str], raws: dict | None = None):
        self.errors = dict(errors)
        self.raws = raws or {}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotAnswerable(Exception):
    """The survey cannot take this response now. ``reason`` is one of the
    availability states (closed, not_yet_open, full, unknown) or
    ``once_per_browser``. Nothing was written."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class PageNotAvailable(Exception):
    """The submitted page is hidden by skip logic or not reached yet."""


class SubmissionConflict(ValueError):
    """The submission id belongs to a response of another survey."""


@dataclass(frozen=True)
class ClientInfo:
    """What the answering device tells us; hashed or dropped before storing.
    ``seen_before``: the browser says it completed this survey already."""

    address: str | None = None
    user_agent: str | None = None
    browser_id: str | None = None
    seen_before: bool = False


@dataclass
class SaveResult:
    response: Response
    next_page: int | None  # the page to show next; None once complete
    completed: bool = False  # this call completed the response
    already_complete: bool = False  # it was complete before this call


# ---- start -----------------------------------------------------------------

def find_by_submission(submission_id: str) -> Response | None:
    return db.session.execute(
        db.select(Response).where(Response.submission_id == submission_id)
    ).scalar_one_or_none()


def find_by_resume_token(survey: Survey, token: str | None) -> Response | None:
    if not token or len(token) > 64:
        return None
    response = db.session.execute(
        db.select(Response).where(Response.resume_token_hash == tokens.resume_token_hash(token))
    ).scalar_one_or_none()
    if response is None or response.survey_id != survey.id:
        return None
    return response


def start_response(survey: Survey, submission_id: str, *, channel: str = Channel.LINK.value,
                   language: str | None = None, started_at: datetime | None = None,
                   client: ClientInfo | None = None, participant_id: int | None = None,
                   invitation_id: int | None = None) -> tuple[Response, bool]:
    """The response for ``submission_id``, created as partial if new.

    Returns (response, created). Raises SubmissionConflict when the id is
    already used by another survey's response. Anonymous surveys keep no
    address, user agent, browser, participant or invitation.
    """
    existing = find_by_submission(submission_id)
    if existing is None:
        client = client or ClientInfo()
        anonymous = survey.anonymous
        response = Response(
            survey_id=survey.id, submission_id=submission_id, status=ResponseStatus.PARTIAL.value,
            channel=channel, language=language or survey.default_language,
            started_at=started_at or utcnow(),
            resume_token_hash=tokens.resume_token_hash(tokens.resume_token(submission_id)),
            participant_id=None if anonymous else participant_id,
            invitation_id=None if anonymous else invitation_id,
            ip_hash=None if anonymous else tokens.address_hash(client.address),
            user_agent=None if anonymous else (client.user_agent or "")[:USER_AGENT_MAX] or None,
            browser_hash=None if anonymous else tokens.browser_hash(client.browser_id),
        )
        db.session.add(response)
        try:
            db.session.commit()
            return response, True
        except exc.IntegrityError:
            # Another request with the same submission id won the insert.
            db.session.rollback()
            existing = find_by_submission(submission_id)
            if existing is None:
                raise
    if existing.survey_id != survey.id:
        raise SubmissionConflict(submission_id)
    return existing, False


# ---- save and complete -----------------------------------------------------

def _lock_partial(response: Response, page_number: int | None, language: str | None) -> bool:
    """Rule 2: take the write lock on a partial response; False if it is
    complete already."""
    values = {}
    if page_number is not None:
        values["last_page"] = case(
            (Response.last_page.is_(None), page_number),
            (Response.last_page < page_number, page_number),
            else_=Response.last_page,
        )
    if language:
        values["language"] = language
    if not values:
        values["status"] = Response.status
    result = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.PARTIAL.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _replace_rows(survey: Survey, response_id: int, question_ids: set[int], raws: dict, visible_codes: set[str]) -> None:
    """Rule 3: the response's rows for ``question_ids`` become those of
    the visible answers in ``raws``."""
    if question_ids:
        db.session.execute(
            delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(question_ids))
            .execution_options(synchronize_session=False)
        )
    for question in survey.questions:
        if question.id not in question_ids or question.code not in visible_codes:
            continue
        qtype = get_type(question.type)
        raw = raws.get(question.code)
        if not qtype.takes_answer or qtype.is_empty(raw):
            continue
        for row in qtype.to_rows(question, raw):
            db.session.add(Answer(response_id=response_id, question_id=question.id, option_id=row.option_id,
                                  item_id=row.item_id, value_num=row.value_num, value_text=row.value_text))


def _drop_hidden(survey: Survey, response_id: int, stored: dict, visible_codes: set[str]) -> None:
    """Answers to questions that skip logic now hides are not kept."""
    hidden = {q.id for q in survey.questions if q.code in stored and q.code not in visible_codes}
    if hidden:
        db.session.execute(
            delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(hidden))
            .execution_options(synchronize_session=False)
        )


def save_page(survey: Survey, response: Response, page_number: int, page_raws: dict, *,
              language: str | None = None, shown: set[str] | None = None, finish: bool = True,
              required: bool = True, client: ClientInfo | None = None, now: datetime | None = None) -> SaveResult:
    """Store the answers to page ``page_number`` (raws by question code).

    In one transaction: lock the response (a complete one is left as it
    is), validate against every answer so far, replace the page's rows,
    drop answers hidden by logic, and complete the response when no visible
    page follows and ``finish`` is true.
    Raises ValidationFailed (errors, or questions newly revealed on the
    page: code -> ""), PageNotAvailable, NotAnswerable; nothing is written
    then.
    """
    try:
        if not _lock_partial(response, page_number, language):
            db.session.rollback()
            db.session.refresh(response)
            return SaveResult(response, None, already_complete=True)
        stored = answering.stored_raws(survey, response.id)
        check = answering.check_page(survey, page_number, stored, page_raws, shown=shown, required=required)
        if check.page is None:
            raise PageNotAvailable(page_number)
        if check.errors or check.revealed:
            raise ValidationFailed({**{c: "" for c in check.revealed}, **check.errors}, check.raws)
        page_ids = {q.id for q in answering.page_questions(survey, page_number)}
        _replace_rows(survey, response.id, page_ids, check.raws, check.visible_codes)
        _drop_hidden(survey, response.id, stored, check.visible_codes)
        following = answering.next_number(check.pages, page_number)
        completed = False
        if following is None and finish:
            _complete_locked(survey, response, client, now, timed=True)
            completed = True
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return SaveResult(response, following, completed=completed)


def complete(survey: Survey, response: Response, *, client: ClientInfo | None = None,
             now: datetime | None = None) -> SaveResult:
    """Complete a partial response whose pages are all saved (idempotent)."""
    try:
        if not _lock_partial(response, None, None):
            db.session.rollback()
            db.session.refresh(response)
            return SaveResult(response, None, already_complete=True)
        stored = answering.stored_raws(survey, response.id)
        pages = answering.visible(survey, stored)
        for entry in pages:
            for question in entry.questions:
                if answering.error_for(question, stored.get(question.code)):
                    raise PageNotAvailable(answering.number_of(entry))
        _drop_hidden(survey, response.id, stored, {q.code for p in pages for q in p.questions})
        _complete_locked(survey, response, client, now, timed=True)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return SaveResult(response, None, completed=True)


def _complete_locked(survey: Survey, response: Response, client: ClientInfo | None,
                     now: datetime | None, timed: bool) -> None:
    """Checks and paradata for completion, inside the caller's transaction
    (the response row is locked already)."""
    client = client or ClientInfo()
    now = now or utcnow()
    if survey.response_cap is not None or survey.setting("one_per_browser"):
        # Serialise completions of this survey so the cap and the
        # one-per-browser rule hold under concurrent submissions.
        db.session.execute(
            db.select(Survey.id).where(Survey.id == survey.id).with_for_update()
        )
    current = state(survey, now)
    if current == State.FULL or (current == State.OPEN and survey.response_cap is not None
                                 and complete_count(survey.id) >= survey.response_cap):
        raise NotAnswerable(State.FULL.value)
    if current != State.OPEN:
        raise NotAnswerable(current.value)
    repeat = client.seen_before or _browser_completed_before(survey, response)
    if repeat and survey.setting("one_per_browser"):
        raise NotAnswerable("once_per_browser")
    reasons = []
    duration = None
    if timed:
        duration = max(0, int((now - response.started_at).total_seconds()))
        min_seconds = survey.setting("min_seconds") or 0
        if min_seconds and duration < min_seconds:
            reasons.append(FLAG_TOO_FAST)
    if repeat:
        reasons.append(FLAG_DUPLICATE)
    db.session.execute(
        update(Response).where(Response.id == response.id).values(
            status=ResponseStatus.COMPLETE.value, submitted_at=now, duration_seconds=duration,
            flagged=bool(reasons), flag_reason=",".join(reasons) or None,
        ).execution_options(synchronize_session=False)
    )


def _browser_completed_before(survey: Survey, response: Response) -> bool:
    if not response.browser_hash:
        return False
    return db.session.execute(
        db.select(Response.id).where(
            Response.survey_id == survey.id, Response.browser_hash == response.browser_hash,
            Response.status == ResponseStatus.COMPLETE.value, Response.id != response.id,
        ).limit(1)
    ).first() is not None


def browser_has_completed(survey: Survey, browser_id: str | None) -> bool:
    """Whether a (non-anonymous) survey has a complete response from this browser."""
    digest = tokens.browser_hash(browser_id)
    if not digest or survey.anonymous:
        return False
    return db.session.execute(
        db.select(Response.id).where(
            Response.survey_id == survey.id, Response.browser_hash == digest,
            Response.status == ResponseStatus.COMPLETE.value,
        ).limit(1)
    ).first() is not None


# ---- a whole response in one call --------------------------------------------

def check_whole(survey: Survey, raws: dict) -> tuple[dict, dict[str, str]]:
    """Normalise ``raws`` (question code -> value) and validate them as one
    complete response: (normalised raws, errors by code)."""
    from ..surveys.visibility import visible

    questions = {q.code: q for q in survey.questions if q.retired_at is None}
    errors: dict[str, str] = {}
    normal = {}
    for code, value in (raws or {}).items():
        question = questions.get(code)
        if question is None:
            errors[str(code)] = _("There is no question with this code in the survey.")
        elif get_type(question.type).takes_answer:
            normal[code] = answering.normalise_raw(question, value)
    for entry in visible(survey, normal):
        for question in entry.questions:
            message = answering.error_for(question, normal.get(question.code))
            if message:
                errors[question.code] = message
    return normal, errors


def submit_complete(survey: Survey, raws: dict, submission_id: str, channel: str, language: str | None = None,
                    started_at: datetime | None = None, participant_id: int | None = None, *,
                    invitation_id: int | None = None, client: ClientInfo | None = None,
                    now: datetime | None = None) -> Response:
    """Store a whole response at once (paper entry, kiosk sync, JSON API).

    Same validation and exactly-once rules as the page flow: a repeated
    call with the same ``submission_id`` returns the stored response.
    Raises ValidationFailed (nothing written), NotAnswerable,
    SubmissionConflict, or ValueError for a malformed submission id.
    ``started_at`` (naive UTC) enables the minimum-time check and the
    duration; without it the duration is unknown.
    """
    if not tokens.is_submission_id(submission_id):
        raise ValueError("submission_id must be a UUID4")
    existing = find_by_submission(submission_id)
    if existing is not None and existing.survey_id != survey.id:
        raise SubmissionConflict(submission_id)
    if existing is not None and existing.status == ResponseStatus.COMPLETE.value:
        return existing
    current = state(survey, now)
    if current != State.OPEN:
        raise NotAnswerable(current.value)
    normal, errors = check_whole(survey, raws)
    if errors:
        raise ValidationFailed(errors, normal)
    response, _created = start_response(
        survey, submission_id, channel=channel, language=language, started_at=started_at or now,
        client=client, participant_id=participant_id, invitation_id=invitation_id,
    )
    try:
        pages = answering.visible(survey, normal)
        last = answering.number_of(pages[-1]) if pages else None
        if not _lock_partial(response, last, language):
            db.session.rollback()
            db.session.refresh(response)
            return response
        codes = {q.code for p in pages for q in p.questions}
        db.session.execute(
            delete(Answer).where(Answer.response_id == response.id).execution_options(synchronize_session=False)
        )
        _replace_rows(survey, response.id, {q.id for q in survey.questions}, normal, codes)
        _complete_locked(survey, response, client, now, timed=started_at is not None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return response


# ---- personal invitations (added for surveyapp/distribute) --------------------

def link_participant(response_id: int, participant_id: int | None, invitation_id: int | None) -> None:
    """Attach the participant and personal invitation a response was begun
    from. Never for an anonymous survey, and a response already linked is
    left as it is. The caller commits."""
    anonymous = db.select(Survey.id).where(Survey.anonymous.is_(True))
    db.session.execute(
        update(Response)
        .where(Response.id == response_id, Response.invitation_id.is_(None),
               Response.survey_id.not_in(anonymous))
        .values(participant_id=participant_id, invitation_id=invitation_id)
        .execution_options(synchronize_session=False)
    )
