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

Every submission is answered with ONE outcome (``outcomes.py``: Stored,
Completed, Duplicate, Invalid, Refused, BadToken), never an exception for
an ordinary refusal. ``submit_page`` takes a page of the link, embed, kiosk
and invitation flow; ``submit_whole`` a whole response (paper entry, the
JSON API, the offline import). Each checks availability (open, schedule,
cap) once, up front; the completion gate (``_completion_values``) counts
the cap again only under the survey's lock, where concurrent completions
are serialised.

The first page of a new response (for a one-page survey, the whole
response) is written in ONE short transaction: the page is validated before
it, then the response row (already complete when the page is the last), its
answer rows (one executemany) and the completion checks share the
transaction that holds the write lock. A whole response in one call is
written the same way: no response row is ever committed before its
answers. Every response a call completes is reported by ``_completed``,
after its commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import CursorResult, case, delete, exc, insert, update

from ..database import begin_write, utcnow
from ..extensions import db
from ..jobs import completion
from ..questions import get_type
from ..surveys.models import Survey
from . import answering, sheets, tokens
from .availability import State, is_full, state
from .models import Answer, Channel, Response, ResponseStatus
from .outcomes import (
    HONEYPOT,
    ONCE_PER_BROWSER,
    OTHER_SURVEY,
    PAGE_NOT_AVAILABLE,
    RESUME_INVALID,
    BadToken,
    Completed,
    Duplicate,
    Gap,
    Invalid,
    NewResponse,
    Refused,
    ResponseRef,
    Stored,
    SubmitOutcome,
)

USER_AGENT_MAX = 256
FLAG_TOO_FAST = "too_fast"
FLAG_DUPLICATE = "possible_duplicate"


class ValidationFailed(ValueError):
    """Raised by ``submit_complete`` for answers that cannot be stored;
    ``errors`` maps question code to a message. Nothing was written."""

    def __init__(self, errors: dict[str, str], raws: dict | None = None):
        self.errors = dict(errors)
        self.raws = raws or {}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotAnswerable(Exception):
    """The survey cannot take this response now. ``reason`` is one of the
    availability states (closed, not_yet_open, full, unknown) or
    ``once_per_browser``. Nothing was written. Raised inside the completion
    gate and by ``submit_complete``; the submit services answer Refused."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class Incomplete(ValidationFailed):
    """Completion refused (inside the completion gate): a visible page of
    the response's answers fails its page check (a required answer missing,
    a value out of range), as after Back, a resume link or a resend that
    skipped a page. ``page`` is the first such page, ``errors`` its
    messages; the response stays partial."""

    def __init__(self, gap: answering.PageCheck):
        super().__init__(gap.errors, gap.raws)
        assert gap.page is not None, "a gap is a visible page"
        self.page = answering.number_of(gap.page)

    def as_gap(self) -> Gap:
        return Gap(self.page, self.raws, self.errors)


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


@dataclass(frozen=True)
class SentPage:
    """One page as the answering form sent it (read by the view, no request
    here). ``raws``: the page's answers by question code; ``shown``: the
    codes the resident saw on it; ``back``: the Back button (keep the
    answers, check nothing required, go one page back)."""

    submission_id: str
    form_token: str | None
    page: int
    raws: dict
    shown: frozenset[str] = frozenset()
    resume: str = ""
    back: bool = False
    honeypot: bool = False
    channel: str = Channel.LINK.value
    language: str | None = None
    # A personal invitation: a new response is tied to its participant and
    # invitation in the transaction that creates it.
    participant_id: int | None = None
    invitation_id: int | None = None


# ---- start -----------------------------------------------------------------


def find_by_submission(submission_id: str) -> Response | None:
    return db.session.execute(db.select(Response).where(Response.submission_id == submission_id)).scalar_one_or_none()


def find_by_resume_token(survey: Survey, token: str | None) -> Response | None:
    if not token or len(token) > 64:
        return None
    response = db.session.execute(
        db.select(Response).where(Response.resume_token_hash == tokens.resume_token_hash(token))
    ).scalar_one_or_none()
    if response is None or response.survey_id != survey.id:
        return None
    return response


def start_response(
    survey: Survey,
    submission_id: str,
    *,
    channel: str = Channel.LINK.value,
    language: str | None = None,
    started_at: datetime | None = None,
    client: ClientInfo | None = None,
    participant_id: int | None = None,
    invitation_id: int | None = None,
) -> tuple[Response, bool]:
    """The response for ``submission_id``, created as partial if new.

    Returns (response, created). Raises SubmissionConflict when the id is
    already used by another survey's response. Anonymous surveys keep no
    address, user agent, browser, participant or invitation.
    """
    existing = find_by_submission(submission_id)
    if existing is None:
        response = Response(
            survey_id=survey.id,
            submission_id=submission_id,
            status=ResponseStatus.PARTIAL.value,
            channel=channel,
            language=language or survey.default_language,
            started_at=started_at or utcnow(),
            **_identity_values(survey, submission_id, client, participant_id, invitation_id),
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


# Built once: the statements are compiled once and cached by SQLAlchemy,
# the values travel as parameters (answers: one executemany).
_INSERT_RESPONSE = insert(Response.__table__)
_INSERT_ANSWERS = insert(Answer.__table__)


def _identity_values(
    survey: Survey, submission_id: str, client: ClientInfo | None, participant_id: int | None, invitation_id: int | None
) -> dict:
    """Columns that tie a new response to a person or device: none at all
    for an anonymous survey."""
    client = client or ClientInfo()
    anonymous = survey.anonymous
    return {
        "resume_token_hash": tokens.resume_token_hash(tokens.resume_token(submission_id)),
        "participant_id": None if anonymous else participant_id,
        "invitation_id": None if anonymous else invitation_id,
        "ip_hash": None if anonymous else tokens.address_hash(client.address),
        "user_agent": None if anonymous else (client.user_agent or "")[:USER_AGENT_MAX] or None,
        "browser_hash": None if anonymous else tokens.browser_hash(client.browser_id),
    }


# ---- a page of the answering flow ------------------------------------------


def submit_page(
    survey: Survey, sent: SentPage, *, client: ClientInfo | None = None, now: datetime | None = None
) -> SubmitOutcome:
    """Take one submitted page of the answering flow; the one outcome says
    what happened (see ``outcomes.py``). Nothing is written unless the
    outcome is Stored or Completed.

    In order: availability (a copy of a response that was completed before
    the survey closed or filled up is still a Duplicate), the honeypot, the
    resume token, the HMAC form token; then the page goes to its response:
    a new one (first page), or the one of the resume token or submission id
    (any page, a double click, a resend, the back button), where it is
    checked again against every answer stored so far.
    """
    client = client or ClientInfo()
    now = now or utcnow()
    current = state(survey, now)
    if current != State.OPEN:
        done = _completed_resend(survey, sent) if current in (State.FULL, State.CLOSED) else None
        # The answer that filled the survey (or came just before it closed),
        # sent again: answered like the first time.
        return Duplicate(done) if done is not None else Refused(current.value)
    if sent.honeypot:
        return Refused(HONEYPOT)
    issued = tokens.check_form_token(survey.id, sent.submission_id, sent.form_token)
    response = None
    if sent.resume:
        response = find_by_resume_token(survey, sent.resume)
        if response is None or (issued is not None and response.submission_id != sent.submission_id):
            return Refused(RESUME_INVALID)
    if issued is None:
        return BadToken(sent.raws, sent.page, response)
    if response is None:
        return _first_page(survey, sent, datetime.fromtimestamp(issued, UTC).replace(tzinfo=None), client, now)
    return _next_page(survey, response, sent, client, now)


def _completed_resend(survey: Survey, sent: SentPage) -> Response | None:
    """The complete response a form with a valid token was stored as, if any."""
    if tokens.check_form_token(survey.id, sent.submission_id, sent.form_token) is None:
        return None
    response = find_by_submission(sent.submission_id)
    if response is None or response.survey_id != survey.id or response.status != ResponseStatus.COMPLETE.value:
        return None
    return response


def _first_page(
    survey: Survey, sent: SentPage, started_at: datetime, client: ClientInfo, now: datetime
) -> SubmitOutcome:
    """No resume token: usually the first page of a new response. It is
    checked before any write lock, then the response is created with its
    answers (and completed) in one transaction. Only when that does not go
    through is an existing response with this submission id (double click,
    resend, back button) looked for, and then its page is taken exactly as
    if it had been sent with its resume token (and checked again there)."""
    check = answering.check_page(survey, sent.page, {}, sent.raws, shown=set(sent.shown))
    first = check.page is not None and answering.number_of(check.pages[0]) == sent.page
    clean = first and not check.errors and not check.revealed
    blocked = (
        clean
        and bool(survey.setting("one_per_browser"))
        and (client.seen_before or browser_has_completed(survey, client.browser_id))
    )
    refused = None
    if clean and not blocked:
        inserted = _insert_first_page(survey, sent, check, started_at, client, now)
        if not isinstance(inserted, Refused | None):
            return inserted
        refused = inserted
    existing = find_by_submission(sent.submission_id)
    if existing is not None:
        if existing.survey_id != survey.id:
            return BadToken(sent.raws, sent.page, None, OTHER_SURVEY)
        return _next_page(survey, existing, sent, client, now)
    if not first:
        return Refused(PAGE_NOT_AVAILABLE)
    if check.errors or check.revealed:
        return Invalid(check.errors, check.raws, sent.page, tuple(check.revealed))
    if blocked:
        return Refused(ONCE_PER_BROWSER)
    if refused is not None:
        return refused
    # The id was taken and its response is gone again.
    return BadToken(sent.raws, sent.page)


def _insert_first_page(
    survey: Survey, sent: SentPage, check: answering.PageCheck, started_at: datetime, client: ClientInfo, now: datetime
) -> Stored | Completed | Refused | None:
    """Insert the response for ``sent.submission_id`` with the answers to
    its first page, in one transaction, completed too when no visible page
    follows. ``check`` (made before the write lock) is clean. None, having
    written nothing, when the submission id is taken already (rule 1). Same
    identity rules as ``start_response``."""
    following = answering.next_number(check.pages, sent.page)
    completing = following is None
    values = {
        "survey_id": survey.id,
        "submission_id": sent.submission_id,
        "status": ResponseStatus.PARTIAL.value,
        "channel": sent.channel,
        "language": sent.language or survey.default_language,
        "started_at": started_at,
        "last_page": sent.page,
        "submitted_at": None,
        "duration_seconds": None,
        "flagged": False,
        "flag_reason": None,
        **_identity_values(survey, sent.submission_id, client, sent.participant_id, sent.invitation_id),
    }
    # The rows before the write lock; their response id is set once known.
    page_ids = {q.id for q in answering.page_questions(survey, sent.page)}
    rows = _answer_rows(survey, None, page_ids, check.raws, check.visible_codes)
    gap = None
    try:
        begin_write(db.session)
        if completing:
            # What is stored: the visible answers of this page.
            kept = {code: raw for code, raw in check.raws.items() if code in check.visible_codes}
            try:
                values.update(
                    _completion_values(survey, kept, None, values["browser_hash"], started_at, client, now, timed=True)
                )
            except Incomplete as refused:
                completing, gap = False, refused.as_gap()
            except NotAnswerable as refused:
                db.session.rollback()
                return Refused(refused.reason)
        values["sheet"] = sheets.from_rows(rows) if completing else None
        response_id = _insert_and_commit(values, rows)
    except Exception:
        db.session.rollback()
        raise
    if response_id is None:
        return None
    response = NewResponse(
        response_id,
        survey.id,
        sent.submission_id,
        values["status"],
        sent.channel,
        values["language"],
        started_at,
        values["resume_token_hash"],
    )
    return _completed(response) if completing else Stored(response, following, gap)


def _next_page(survey: Survey, response: Response, sent: SentPage, client: ClientInfo, now: datetime) -> SubmitOutcome:
    """A page for an existing response; Back keeps its answers without
    requiring any and leads to the visible page before it."""
    if response.status == ResponseStatus.COMPLETE.value:
        return Duplicate(response)
    outcome = save_page(
        survey,
        response,
        sent.page,
        sent.raws,
        language=sent.language,
        shown=None if sent.back else set(sent.shown),
        finish=not sent.back,
        required=not sent.back,
        client=client,
        now=now,
    )
    if sent.back and isinstance(outcome, Stored):
        stored = answering.stored_raws(survey, response.id)
        target = answering.previous_number(answering.visible(survey, stored), sent.page) or sent.page
        return replace(outcome, next_page=target)
    return outcome


def _completed(response: ResponseRef, resumed: bool = False) -> Completed:
    """The one place every path that completes a response reports it, right
    after the commit that completed it (a page, a whole submission)."""
    return Completed(response, resumed)


# ---- save and complete -----------------------------------------------------


def _lock_partial(response: Response, page_number: int | None, language: str | None) -> bool:
    """Rule 2: take the write lock on a partial response; False if it is
    complete already."""
    values: dict[str, object] = {}
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
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE's result counts rows
        update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.PARTIAL.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _rewind_to(response: Response, last_page: int | None) -> None:
    """Set the last page reached back (inside the caller's transaction)."""
    db.session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(last_page=last_page)
        .execution_options(synchronize_session=False)
    )


def _answer_rows(
    survey: Survey, response_id: int | None, question_ids: set[int], raws: dict, visible_codes: set[str]
) -> list[dict]:
    """The ``answers`` rows (as dicts for one executemany) of the visible
    answers in ``raws`` to the questions ``question_ids``."""
    rows = []
    for question in survey.questions:
        if question.id not in question_ids or question.code not in visible_codes:
            continue
        qtype = get_type(question.type)
        raw = raws.get(question.code)
        if not qtype.takes_answer or qtype.is_empty(raw):
            continue
        for row in qtype.to_rows(question, raw):
            rows.append(
                {
                    "response_id": response_id,
                    "question_id": question.id,
                    "option_id": row.option_id,
                    "item_id": row.item_id,
                    "value_num": row.value_num,
                    "value_text": row.value_text,
                }
            )
    return rows


def _replace_rows(
    survey: Survey, response_id: int, question_ids: set[int], raws: dict, visible_codes: set[str]
) -> None:
    """Rule 3: the response's rows for ``question_ids`` become those of
    the visible answers in ``raws``."""
    if question_ids:
        db.session.execute(
            delete(Answer)
            .where(Answer.response_id == response_id, Answer.question_id.in_(question_ids))
            .execution_options(synchronize_session=False)
        )
    rows = _answer_rows(survey, response_id, question_ids, raws, visible_codes)
    if rows:
        db.session.connection().execute(_INSERT_ANSWERS, rows)


def _drop_hidden(survey: Survey, response_id: int, stored: dict, visible_codes: set[str]) -> None:
    """Answers to questions that skip logic now hides are not kept."""
    hidden = {q.id for q in survey.questions if q.code in stored and q.code not in visible_codes}
    if hidden:
        db.session.execute(
            delete(Answer)
            .where(Answer.response_id == response_id, Answer.question_id.in_(hidden))
            .execution_options(synchronize_session=False)
        )


def save_page(
    survey: Survey,
    response: Response,
    page_number: int,
    page_raws: dict,
    *,
    language: str | None = None,
    shown: set[str] | None = None,
    finish: bool = True,
    required: bool = True,
    client: ClientInfo | None = None,
    now: datetime | None = None,
) -> Stored | Completed | Duplicate | Invalid | Refused:
    """Store the answers to page ``page_number`` (raws by question code): a
    step of ``submit_page``, whose caller checked availability and the form.

    In one transaction: lock the response (a complete one is left as it
    is: Duplicate), validate against every answer so far, replace the page's
    rows, drop answers hidden by logic, and complete the response when no
    visible page follows and ``finish`` is true (Completed). Invalid (errors,
    or questions newly revealed on the page), Refused (the page is hidden or
    not reached, or completion is refused): nothing is written. When the
    page is good but an earlier page is not (see ``Incomplete``), the page
    is stored, the response stays partial and the Stored outcome's ``gap``
    says where the problem is.
    """
    try:
        begin_write(db.session)
        # A page kept without its required answers (Back) is not a page
        # reached: the resume link must not skip past it.
        if not _lock_partial(response, page_number if required else None, language):
            db.session.rollback()
            db.session.refresh(response)
            return Duplicate(response)
        stored = answering.stored_raws(survey, response.id)
        check = answering.check_page(survey, page_number, stored, page_raws, shown=shown, required=required)
        if check.page is None:
            db.session.rollback()
            return Refused(PAGE_NOT_AVAILABLE, response)
        if check.errors or check.revealed:
            db.session.rollback()
            return Invalid(check.errors, check.raws, page_number, tuple(check.revealed), response)
        page_ids = {q.id for q in answering.page_questions(survey, page_number)}
        _replace_rows(survey, response.id, page_ids, check.raws, check.visible_codes)
        _drop_hidden(survey, response.id, stored, check.visible_codes)
        following = answering.next_number(check.pages, page_number)
        completed = False
        gap = None
        if following is None and finish:
            try:
                _complete_locked(survey, response, client, now, timed=True)
                completed = True
            except Incomplete as refused:
                # This page's answers are good and are kept; the response
                # stays partial until the gap is answered, and its resume
                # link leads to the gap.
                gap = refused.as_gap()
                _rewind_to(response, answering.previous_number(check.pages, refused.page))
            except NotAnswerable as refused:
                db.session.rollback()
                return Refused(refused.reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return _completed(response) if completed else Stored(response, following, gap)


def complete(
    survey: Survey, response: Response, *, client: ClientInfo | None = None, now: datetime | None = None
) -> Completed | Duplicate | Invalid | Refused:
    """Complete a partial response whose pages are all saved (idempotent:
    Duplicate when it is complete already). Invalid (nothing written) when
    a visible page fails its check: ``page`` is the first such page."""
    current = state(survey, now)
    if current != State.OPEN:
        return Refused(current.value)
    try:
        begin_write(db.session)
        if not _lock_partial(response, None, None):
            db.session.rollback()
            db.session.refresh(response)
            return Duplicate(response)
        stored = answering.stored_raws(survey, response.id)
        pages = answering.visible(survey, stored)
        _drop_hidden(survey, response.id, stored, {q.code for p in pages for q in p.questions})
        try:
            _complete_locked(survey, response, client, now, timed=True)
        except Incomplete as refused:
            db.session.rollback()
            return Invalid(refused.errors, refused.raws, refused.page, (), response)
        except NotAnswerable as refused:
            db.session.rollback()
            return Refused(refused.reason, response)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return _completed(response)


def _complete_locked(
    survey: Survey, response: Response, client: ClientInfo | None, now: datetime | None, timed: bool
) -> None:
    """Checks and paradata for completion, inside the caller's transaction
    (the response row is locked already and its answers are written)."""
    now = now or utcnow()
    # The answers as stored now, read back inside the transaction: what
    # completes is checked, not what this request believes it sent.
    stored = answering.stored_raws(survey, response.id)
    values = _completion_values(
        survey, stored, response.id, response.browser_hash, response.started_at, client, now, timed
    )
    db.session.execute(
        # Its answers are final now: the sheet comes from them, in this statement.
        update(Response)
        .where(Response.id == response.id)
        .values(**values, sheet=sheets.completing_value())
        .execution_options(synchronize_session=False)
    )


def _completion_values(
    survey: Survey,
    raws: dict,
    response_id: int | None,
    browser_hash: str | None,
    started_at: datetime | None,
    client: ClientInfo | None,
    now: datetime,
    timed: bool,
) -> dict:
    """The checks a response must pass to complete now and the columns
    completing it sets (status, time, duration, flags). The one gate every
    completion passes (link, embed, kiosk, invitation, paper, API):

    1. every visible page of its answers ``raws`` passes the page check
       (``answering.first_gap``), whatever path led to the last page;
    2. the survey is not full, counted under the survey's lock (the one
       thing a concurrent submission changes; open and schedule were
       checked once by the submit service that called); one per browser
       holds.

    Runs inside the write transaction; raises Incomplete or NotAnswerable
    before writing anything. ``response_id`` is None for a response not
    inserted yet."""
    gap = answering.first_gap(survey, raws)
    if gap is not None:
        raise Incomplete(gap)
    client = client or ClientInfo()
    if survey.response_cap is not None or survey.setting("one_per_browser"):
        # Serialise completions of this survey so the cap and the
        # one-per-browser rule hold under concurrent submissions.
        db.session.execute(db.select(Survey.id).where(Survey.id == survey.id).with_for_update())
    # Complete responses are counted against the cap inside this
    # transaction, after the lock above.
    if is_full(survey):
        raise NotAnswerable(State.FULL.value)
    repeat = client.seen_before or _browser_completed_before(survey, browser_hash, response_id)
    if repeat and survey.setting("one_per_browser"):
        raise NotAnswerable("once_per_browser")
    reasons = []
    duration = None
    if timed and started_at is not None:
        duration = max(0, int((now - started_at).total_seconds()))
        min_seconds = survey.setting("min_seconds") or 0
        if min_seconds and duration < min_seconds:
            reasons.append(FLAG_TOO_FAST)
    if repeat:
        reasons.append(FLAG_DUPLICATE)
    # After this transaction commits, the completion job catches up (tally,
    # sheets, programme feedback, webhooks): surveyapp/jobs/completion.py.
    completion.note(survey.id)
    return {
        "status": ResponseStatus.COMPLETE.value,
        "submitted_at": now,
        "duration_seconds": duration,
        "flagged": bool(reasons),
        "flag_reason": ",".join(reasons) or None,
    }


def _browser_completed_before(survey: Survey, browser_hash: str | None, response_id: int | None) -> bool:
    if not browser_hash:
        return False
    query = db.select(Response.id).where(
        Response.survey_id == survey.id,
        Response.browser_hash == browser_hash,
        Response.status == ResponseStatus.COMPLETE.value,
    )
    if response_id is not None:
        query = query.where(Response.id != response_id)
    return db.session.execute(query.limit(1)).first() is not None


def browser_has_completed(survey: Survey, browser_id: str | None) -> bool:
    """Whether a (non-anonymous) survey has a complete response from this browser."""
    digest = tokens.browser_hash(browser_id)
    if not digest or survey.anonymous:
        return False
    return (
        db.session.execute(
            db.select(Response.id)
            .where(
                Response.survey_id == survey.id,
                Response.browser_hash == digest,
                Response.status == ResponseStatus.COMPLETE.value,
            )
            .limit(1)
        ).first()
        is not None
    )


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


# A response begun before this cannot be real, and its duration in seconds
# would outgrow the column (PostgreSQL integer); a day ahead allows for
# devices whose clock runs fast.
STARTED_AT_EARLIEST = datetime(2000, 1, 1)
CLOCK_SKEW = timedelta(days=1)


def started_at_from(value, now: datetime | None = None) -> datetime | None:
    """A client's start time (ISO 8601; with an offset or Z, else taken as
    UTC) as naive UTC, or None when it is not such a time or lies outside
    2000-01-01 .. now + one day."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        return None
    if not STARTED_AT_EARLIEST <= moment <= (now or utcnow()) + CLOCK_SKEW:
        return None
    return moment


def submit_whole(
    survey: Survey,
    raws: dict,
    submission_id: str,
    channel: str,
    language: str | None = None,
    started_at: datetime | None = None,
    participant_id: int | None = None,
    *,
    invitation_id: int | None = None,
    client: ClientInfo | None = None,
    now: datetime | None = None,
) -> Completed | Duplicate | Invalid | Refused | BadToken:
    """Store a whole response at once (paper entry, the JSON API, the
    offline import); the one outcome says what happened.

    All or nothing: a new response row, its answers and its completion are
    ONE transaction, so a process killed mid-way leaves nothing behind.
    Same validation and exactly-once rules as the page flow: a repeated
    call with the same ``submission_id`` answers Duplicate with the stored
    response, whatever it carries. An incomplete response with this id
    (left by the web flow, or by a version that committed the row before
    its answers) is completed with these answers, which replace any it had
    (Completed with ``resumed``). BadToken: a malformed submission id
    (FORGED) or one of another survey (OTHER_SURVEY). ``started_at`` (naive
    UTC) enables the minimum-time check and the duration; without it the
    duration is unknown.
    """
    if not tokens.is_submission_id(submission_id):
        return BadToken(raws)
    existing = find_by_submission(submission_id)
    if existing is not None and existing.survey_id != survey.id:
        return BadToken(raws, reason=OTHER_SURVEY)
    if existing is not None and existing.status == ResponseStatus.COMPLETE.value:
        return Duplicate(existing)
    current = state(survey, now)
    if current != State.OPEN:
        return Refused(current.value)
    normal, errors = check_whole(survey, raws)
    if errors:
        return Invalid(errors, normal)
    pages = answering.visible(survey, normal)
    if existing is None:
        inserted = _insert_whole(
            survey,
            submission_id,
            normal,
            pages,
            channel=channel,
            language=language,
            started_at=started_at,
            client=client,
            participant_id=participant_id,
            invitation_id=invitation_id,
            now=now,
        )
        if inserted is not None:
            return inserted
        # A concurrent call with this id committed first (rule 1).
        existing = find_by_submission(submission_id)
        if existing is None:
            raise RuntimeError("the submission id was taken but its response is gone")
        if existing.survey_id != survey.id:
            return BadToken(raws, reason=OTHER_SURVEY)
    return _complete_whole(
        survey, existing, normal, pages, language=language, client=client, now=now, timed=started_at is not None
    )


def submit_complete(
    survey: Survey,
    raws: dict,
    submission_id: str,
    channel: str,
    language: str | None = None,
    started_at: datetime | None = None,
    participant_id: int | None = None,
    *,
    invitation_id: int | None = None,
    client: ClientInfo | None = None,
    now: datetime | None = None,
) -> Response:
    """``submit_whole`` for scripts and tests that want the stored response
    (new or stored before) or an exception: ValidationFailed, NotAnswerable,
    SubmissionConflict, or ValueError for a malformed submission id."""
    outcome = submit_whole(
        survey,
        raws,
        submission_id,
        channel,
        language,
        started_at,
        participant_id,
        invitation_id=invitation_id,
        client=client,
        now=now,
    )
    match outcome:
        case Completed(response=Response() as response) | Duplicate(response=response):
            return response
        case Invalid(errors=errors, raws=normal):
            raise ValidationFailed(dict(errors), dict(normal))
        case Refused(reason=reason):
            raise NotAnswerable(reason)
        case BadToken(reason=reason) if reason == OTHER_SURVEY:
            raise SubmissionConflict(submission_id)
        case _:
            raise ValueError("submission_id must be a UUID4")


def _insert_whole(
    survey: Survey,
    submission_id: str,
    normal: dict,
    pages: list,
    *,
    channel: str,
    language: str | None,
    started_at: datetime | None,
    client: ClientInfo | None,
    participant_id: int | None,
    invitation_id: int | None,
    now: datetime | None,
) -> Completed | Refused | None:
    """Insert a complete response and its answers in one transaction; None
    (nothing written) when the submission id is taken."""
    now = now or utcnow()
    values = {
        "survey_id": survey.id,
        "submission_id": submission_id,
        "channel": channel,
        "language": language or survey.default_language,
        "started_at": started_at or now,
        "last_page": answering.number_of(pages[-1]) if pages else None,
        **_identity_values(survey, submission_id, client, participant_id, invitation_id),
    }
    rows = _answer_rows(
        survey, None, {q.id for q in survey.questions}, normal, {q.code for p in pages for q in p.questions}
    )
    values["sheet"] = sheets.from_rows(rows)
    try:
        begin_write(db.session)
        try:
            values.update(
                _completion_values(
                    survey, normal, None, values["browser_hash"], started_at, client, now, timed=started_at is not None
                )
            )
        except NotAnswerable as refused:
            db.session.rollback()
            return Refused(refused.reason)
        response_id = _insert_and_commit(values, rows)
    except Exception:
        db.session.rollback()
        raise
    if response_id is None:
        return None
    response = db.session.get(Response, response_id)
    assert response is not None, "committed above"
    return _completed(response)


def _insert_and_commit(values: dict, rows: list[dict]) -> int | None:
    """Insert a new response row and its answer rows, and commit: its id,
    or None (rolled back, nothing written) when the submission id is taken,
    because then the other request's response is the one (rule 1)."""
    try:
        # Through the session (not its connection) so session events see
        # the new response (webhooks wake on completions).
        inserted: CursorResult = db.session.execute(_INSERT_RESPONSE, values)  # type: ignore[assignment]
        response_id = inserted.inserted_primary_key[0]  # type: ignore[index]  # an INSERT has its key
    except exc.IntegrityError:
        db.session.rollback()
        return None
    for row in rows:
        row["response_id"] = response_id
    if rows:
        db.session.connection().execute(_INSERT_ANSWERS, rows)
    db.session.commit()
    return response_id


def _complete_whole(
    survey: Survey,
    response: Response,
    normal: dict,
    pages: list,
    *,
    language: str | None,
    client: ClientInfo | None,
    now: datetime | None,
    timed: bool,
) -> Completed | Duplicate | Invalid | Refused:
    """Give an incomplete response exactly these answers and complete it,
    in one transaction (Duplicate, a no-op, if another call completed it
    first)."""
    try:
        begin_write(db.session)
        last = answering.number_of(pages[-1]) if pages else None
        if not _lock_partial(response, last, language):
            db.session.rollback()
            db.session.refresh(response)
            return Duplicate(response)
        codes = {q.code for p in pages for q in p.questions}
        db.session.execute(
            delete(Answer).where(Answer.response_id == response.id).execution_options(synchronize_session=False)
        )
        _replace_rows(survey, response.id, {q.id for q in survey.questions}, normal, codes)
        try:
            _complete_locked(survey, response, client, now, timed=timed)
        except Incomplete as refused:
            db.session.rollback()
            return Invalid(refused.errors, normal)
        except NotAnswerable as refused:
            db.session.rollback()
            return Refused(refused.reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(response)
    return _completed(response, resumed=True)


# ---- personal invitations (added for surveyapp/distribute) --------------------


def link_participant(response_id: int, participant_id: int | None, invitation_id: int | None) -> None:
    """Attach the participant and personal invitation a response was begun
    from. Never for an anonymous survey, and a response already linked is
    left as it is. The caller commits."""
    anonymous = db.select(Survey.id).where(Survey.anonymous.is_(True))
    db.session.execute(
        update(Response)
        .where(Response.id == response_id, Response.invitation_id.is_(None), Response.survey_id.not_in(anonymous))
        .values(participant_id=participant_id, invitation_id=invitation_id)
        .execution_options(synchronize_session=False)
    )
