"""Test factories: plain functions that create committed rows.

``survey()`` builds a survey from a compact question list and ``respond()``
stores a response exactly as the submit path would: use them rather than
inserting Survey, Response or Answer rows by hand."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from surveyapp.accounts.models import User
from surveyapp.extensions import db
from surveyapp.orgs.models import Membership, Organisation, Role
from surveyapp.orgs.services import slugify
from surveyapp.participants.models import Participant
from surveyapp.questions import get_type
from surveyapp.responses import sheets, tokens
from surveyapp.responses.answering import normalise_raw
from surveyapp.responses.models import Answer, Channel, Response, ResponseStatus
from surveyapp.responses.services import USER_AGENT_MAX, ClientInfo, ValidationFailed, check_whole
from surveyapp.surveys.models import Survey, SurveyStatus
from surveyapp.surveys.services import create_from_definition
from surveyapp.surveys.visibility import visible

PASSWORD = "a long test password 42"


def organisation(name: str = "Desa Contoh", **fields) -> Organisation:
    org = Organisation(name=name, slug=fields.pop("slug", slugify(name)), **fields)
    db.session.add(org)
    db.session.commit()
    return org


def user(
    email: str,
    org: Organisation | None = None,
    role: Role = Role.OWNER,
    name: str | None = None,
    password: str = PASSWORD,
) -> User:
    account = User(email=email, name=name or email.split("@")[0].title())
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    if org is not None:
        db.session.add(Membership(user_id=account.id, organisation_id=org.id, role=role.value))
    db.session.commit()
    return account


def two_organisations() -> SimpleNamespace:
    home = organisation("Kelurahan Mawar")
    other = organisation("Desa Melati")
    return SimpleNamespace(
        org=home,
        other_org=other,
        owner=user("owner@mawar.test", home, Role.OWNER),
        editor=user("editor@mawar.test", home, Role.EDITOR),
        viewer=user("viewer@mawar.test", home, Role.VIEWER),
        outsider=user("owner@melati.test", other, Role.OWNER),
    )


# ---- surveys -----------------------------------------------------------------


@dataclass(frozen=True)
class PageBreak:
    """In a ``survey()`` question list: the questions after it are on a new
    page, shown only when ``logic`` holds (None: always)."""

    logic: dict | None = None
    title: str | None = None


PAGE = PageBreak()


def _label(text, languages) -> dict:
    return dict(text) if isinstance(text, dict) else {lang: str(text) for lang in languages}


def _choice(entry, languages) -> dict:
    """An option or matrix item of the compact spec: "code", (code, value),
    or a definition dict (as it is)."""
    if isinstance(entry, dict):
        return entry
    if isinstance(entry, tuple):
        code, value = entry
        return {"code": code, "label": _label(code, languages), "value": value}
    return {"code": entry, "label": _label(entry, languages)}


def _question(spec: dict, languages) -> dict:
    """A definition question from the compact spec: a definition dict whose
    title may be left out (the code) or be plain text, and whose options and
    items may be plain codes or (code, value) pairs."""
    question = dict(spec)
    question["title"] = _label(question.get("title", question["code"]), languages)
    for key in ("options", "items"):
        if key in question:
            question[key] = [_choice(entry, languages) for entry in question[key]]
    return question


def survey_document(
    questions=(), *, title: str | dict = "Survei warga", languages=("id", "en"), settings: dict | None = None
) -> dict:
    """The survey definition (surveys/definition.py) of ``survey()``'s spec."""
    languages = list(languages)
    pages: list[dict] = [{"questions": []}]
    for entry in questions:
        if isinstance(entry, PageBreak):
            page: dict = {"questions": []}
            if entry.logic is not None:
                page["logic"] = entry.logic
            if entry.title is not None:
                page["title"] = _label(entry.title, languages)
            pages.append(page)
        else:
            pages[-1]["questions"].append(_question(entry, languages))
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": languages,
        "default_language": languages[0],
        "title": _label(title, languages),
        "settings": dict(settings or {}),
        "pages": pages,
    }


_SURVEY_COLUMNS = frozenset(Survey.__table__.columns.keys())


def survey(
    org: Organisation,
    questions=(),
    *,
    title: str | dict = "Survei warga",
    languages=("id", "en"),
    status: str = SurveyStatus.DRAFT.value,
    created_by: User | None = None,
    **settings,
) -> Survey:
    """A committed survey built through the definition importer, as an
    upload or a library template is.

    ``questions``: definition question dicts (see ``_question`` for the
    shorthands), with ``PAGE`` or ``PageBreak(logic=...)`` between pages.
    A keyword naming a Survey column (anonymous, response_cap, opens_at,
    closes_at, ...) sets that column; any other keyword is a survey setting
    (public_results, min_seconds, one_per_browser, ...)."""
    columns = {key: settings.pop(key) for key in list(settings) if key in _SURVEY_COLUMNS}
    document = survey_document(copy.deepcopy(list(questions)), title=title, languages=languages, settings=settings)
    made = create_from_definition(org.id, created_by.id if created_by else None, document, status=status, **columns)
    return made


# ---- responses ---------------------------------------------------------------

# A fixed default moment, so figures by day or week never follow the clock.
SUBMITTED_AT = datetime(2026, 3, 2, 3, 0)


def respond(
    survey: Survey,
    answers: dict | None = None,
    *,
    status: str = ResponseStatus.COMPLETE.value,
    channel: str = Channel.LINK.value,
    language: str | None = None,
    submitted_at: datetime | None = None,
    started_at: datetime | None = None,
    duration: int | None = None,
    participant: Participant | int | None = None,
    client: ClientInfo | None = None,
    check: bool = True,
    commit: bool = True,
    **columns,
) -> Response:
    """A response with ``answers`` ({question code: value}, in any shape
    ``submit_whole`` takes: "yes", ["a", "b"], {"choice": "x", "other": ".."},
    {"item": "code"}, 7, "2026-03-01"), stored as the submit path stores it:
    the same answer rows in the same order, the same ``sheet``, the same
    identity columns (tests/test_factories.py proves it for every type).

    It writes directly, without the service's transaction and availability
    checks, so it is fast, works on a draft survey, and can make a partial
    response or one submitted at any moment. ``check`` (default) validates
    like ``submit_whole`` and drops answers that skip logic hides;
    ``check=False`` stores every given answer as it is, even one the
    product would refuse (a fixture of data from before a rule). The
    duration is known when ``duration`` or ``started_at`` is given, as on
    the product's timed paths. ``columns`` set any other Response column,
    or override one (flagged=True; sheet=None for a response stored in bulk
    whose sheet is not filled yet)."""
    complete = status == ResponseStatus.COMPLETE.value
    normal, shown = _normalised(survey, answers or {}, check=check, complete=complete)
    rows = _rows(survey, normal, shown)
    submitted_at = submitted_at or SUBMITTED_AT
    if started_at is None:
        started_at = submitted_at - timedelta(seconds=duration or 0)
    elif duration is None:
        duration = max(0, int((submitted_at - started_at).total_seconds()))
    submission_id = str(uuid.uuid4())
    client = client or ClientInfo()
    anonymous = survey.anonymous
    participant_id = participant.id if isinstance(participant, Participant) else participant
    # Complete: the last visible page, as submit_whole stores; partial: the
    # last page with an answer, as the page flow leaves it.
    pages = visible(survey, normal)
    reached = pages if complete else [p for p in pages if any(q.code in normal for q in p.questions)]
    values = dict(
        survey_id=survey.id,
        submission_id=submission_id,
        status=status,
        channel=channel,
        language=language or survey.default_language,
        started_at=started_at,
        submitted_at=submitted_at if complete else None,
        duration_seconds=duration if complete else None,
        last_page=reached[-1].index + 1 if reached else None,
        resume_token_hash=tokens.resume_token_hash(tokens.resume_token(submission_id)),
        participant_id=None if anonymous else participant_id,
        ip_hash=None if anonymous else tokens.address_hash(client.address),
        user_agent=None if anonymous else (client.user_agent or "")[:USER_AGENT_MAX] or None,
        browser_hash=None if anonymous else tokens.browser_hash(client.browser_id),
        flagged=False,
        sheet=sheets.from_rows(rows) if complete else None,
    )
    response = Response(**{**values, **columns})
    response.answers = [Answer(**row) for row in rows]
    db.session.add(response)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return response


def _normalised(survey: Survey, answers: dict, *, check: bool, complete: bool) -> tuple[dict, set[str]]:
    """The answers as the service normalises them, and the codes whose
    answers are stored (the visible ones; with ``check=False``, all)."""
    if check:
        normal, errors = check_whole(survey, answers)
        if not complete:  # a partial response may lack required answers
            errors = {c: m for c, m in errors.items() if c in normal and not _is_empty(survey, c, normal[c])}
        if errors:
            raise ValidationFailed(errors, normal)
        return normal, {q.code for p in visible(survey, normal) for q in p.questions}
    questions = {q.code: q for q in survey.questions}
    normal = {code: normalise_raw(questions[code], value) for code, value in answers.items()}
    return normal, set(normal)


def _is_empty(survey: Survey, code: str, raw) -> bool:
    question = next(q for q in survey.questions if q.code == code)
    return get_type(question.type).is_empty(raw)


def _rows(survey: Survey, normal: dict, shown: set[str]) -> list[dict]:
    """Answer rows as the service makes them: in question order, none for
    an empty answer, the question type's ``to_rows`` for the rest."""
    rows = []
    for question in survey.questions:
        qtype = get_type(question.type)
        raw = normal.get(question.code)
        if question.code not in shown or not qtype.takes_answer or qtype.is_empty(raw):
            continue
        for row in qtype.to_rows(question, raw):
            rows.append(
                {
                    "question_id": question.id,
                    "option_id": row.option_id,
                    "item_id": row.item_id,
                    "value_num": row.value_num,
                    "value_text": row.value_text,
                }
            )
    return rows
