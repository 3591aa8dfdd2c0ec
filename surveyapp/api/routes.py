"""/api/v1: surveys, definitions, responses, summaries, metric sets.

Authentication is ``Authorization: Bearer <token>`` (no cookies, so the
blueprint is exempt from CSRF). A token sees only its organisation: another
organisation's survey id answers 404. Read tokens get 403 on writes.
"""

from __future__ import annotations

import json
from datetime import datetime
from itertools import islice

from flask import Blueprint, Response, current_app, g, jsonify, request, stream_with_context, url_for
from flask_babel import gettext as _

from ..analytics.filters import FilterError, parse_filters
from ..errors import abort_with
from ..exports import downloads, pacing
from ..extensions import csrf, db, limiter
from ..orgs.models import Organisation
from ..surveys import definition
from ..surveys.models import Survey
from ..wrappers import refuse_nul
from . import tokens
from .openapi import document as openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "300 per minute"), key_func=tokens.rate_key)(bp)
PAGE_DEFAULT, PAGE_MAX = 100, 1000


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    token = tokens.authenticate(request.headers.get("Authorization"))
    if token is None:
        response = jsonify(
            error={
                "code": 401,
                "title": "Unauthorized",
                "message": _(
                    "Send a valid API token: Authorization: Bearer <token>. The token may be wrong or revoked."
                ),
            }
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="suara"'
        return response
    g.api_token = token
    return None


def _write_scope() -> None:
    if not g.api_token.can_write:
        abort_with(403, _("This token can only read. Create a token with write scope for this action."))


def _survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.organisation_id != g.api_token.organisation_id:
        abort_with(404, _("There is no survey %(id)s in this organisation.", id=survey_id))
    return survey


def _organisation() -> Organisation:
    return db.session.get(Organisation, g.api_token.organisation_id)


def _json_body(max_bytes: int) -> dict:
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        abort_with(413, _("The request body is larger than %(n)s bytes.", n=format(max_bytes, ",")))
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        abort_with(400, _("The body is not valid JSON."))
    if not isinstance(body, dict):
        abort_with(400, _("The body must be a JSON object."))
    refuse_nul(body)  # parsed here, not by request.get_json, so checked here
    return body


def _unprocessable(message: str, errors):
    return jsonify(error={"code": 422, "title": "Unprocessable", "message": message}, errors=errors), 422


def _filters(survey: Survey):
    try:
        return parse_filters(request.args, survey, _organisation().timezone)
    except FilterError as error:
        abort_with(400, str(error))


def _iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def survey_item(survey: Survey) -> dict:
    return {
        "id": survey.id,
        "title": dict(survey.title or {}),
        "kind": survey.kind,
        "status": survey.status,
        "languages": list(survey.languages or []),
        "default_language": survey.default_language,
        "created_at": _iso(survey.created_at),
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/surveys")
def list_surveys():
    surveys = db.session.execute(
        db.select(Survey)
        .where(Survey.organisation_id == g.api_token.organisation_id, Survey.is_template.is_(False))
        .order_by(Survey.id)
    ).scalars()
    return jsonify(items=[survey_item(s) for s in surveys])


@bp.get("/surveys/<int:survey_id>")
def get_definition(survey_id: int):
    survey = _survey(survey_id)
    return jsonify(id=survey.id, status=survey.status, definition=definition.export_definition(survey))


@bp.post("/surveys")
def create_survey():
    _write_scope()
    from ..surveys.services import create_from_definition

    body = _json_body(definition.MAX_BYTES)
    document = body.get("definition", body)
    if not isinstance(document, dict):
        abort_with(400, _('"definition" must be a JSON object.'))
    if definition._depth(document) > definition.MAX_DEPTH:
        abort_with(400, _("The document is nested more than %(n)d levels deep.", n=definition.MAX_DEPTH))
    try:
        survey = create_from_definition(g.api_token.organisation_id, None, document)
    except definition.DefinitionError as error:
        return _unprocessable(
            _("The survey definition is not valid."), [{"path": p.path, "message": p.message} for p in error.problems]
        )
    return jsonify(survey_item(survey)), 201, {"Location": url_for("api.get_definition", survey_id=survey.id)}


@bp.post("/surveys/<int:survey_id>/responses")
def submit_response(survey_id: int):
    _write_scope()
    from ..responses import outcomes
    from ..responses import services as responses
    from ..responses.models import Channel
    from ..responses.tokens import is_submission_id

    survey = _survey(survey_id)
    body = _json_body(current_app.config["MAX_CONTENT_LENGTH"])
    submission_id = body.get("submission_id")
    answers = body.get("answers", {})
    language = body.get("language") or survey.default_language
    problems = {}
    if not isinstance(submission_id, str) or not is_submission_id(submission_id):
        problems["submission_id"] = _(
            "Send a submission_id: a random UUID (version 4) made once per response, in lower case."
        )
    if not isinstance(answers, dict):
        problems["answers"] = _('"answers" must be an object from question code to answer.')
    if language not in survey.languages:
        problems["language"] = _("This survey is not offered in the language %(value)s.", value=str(language)[:10])
    started_at = None
    if body.get("started_at") is not None:
        started_at = responses.started_at_from(body["started_at"])
        if started_at is None:
            problems["started_at"] = _(
                "Use an ISO 8601 time like 2026-08-17T09:30:00Z, from the year 2000 and not in the future."
            )
    if problems:
        return _unprocessable(_("The submission is not valid."), problems)
    outcome = responses.submit_whole(
        survey, answers, submission_id, Channel.API.value, language=language, started_at=started_at
    )
    match outcome:
        case outcomes.Completed(response=response, resumed=resumed):
            created = True
        case outcomes.Duplicate(response=response):
            created, resumed = False, False
        case outcomes.Invalid(errors=errors):
            return _unprocessable(_("Some answers are not valid."), dict(errors))
        case outcomes.Refused(reason=reason):
            abort_with(409, _("This survey is not taking responses now (%(reason)s).", reason=reason))
        case outcomes.BadToken():
            # The id is well formed (checked above): it belongs to another survey.
            abort_with(409, _("This submission_id was already used for another survey."))
    result = {
        "response_id": response.id,
        "submission_id": response.submission_id,
        "survey_id": survey.id,
        "status": response.status,
        "submitted_at": _iso(response.submitted_at),
        "created": created,
    }
    if resumed:
        # A client that resends after a lost answer learns that this call,
        # not the earlier one, stored its response (docs/api.md).
        result["note"] = _(
            "An incomplete response with this submission_id was found; "
            "it was completed with the answers of this request."
        )
    return jsonify(result), 201 if created else 200


@bp.get("/surveys/<int:survey_id>/summary")
def get_summary(survey_id: int):
    from ..analytics.service import summary_for

    survey = _survey(survey_id)
    language = request.args.get("lang") or survey.default_language
    if language not in survey.languages:
        abort_with(400, _("This survey is not offered in the language %(value)s.", value=language))
    return jsonify(summary_for(survey, _filters(survey), language))


def _records(survey: Survey, after: int, limit: int | None = None):
    from ..exports import rows, writers
    from ..exports.layout import build_layout

    layout = build_layout(survey)
    plan = writers._answer_plan(layout)
    stream = rows.iter_rows(
        layout, survey.id, _filters(survey), batch=min(limit or rows.BATCH, rows.BATCH) + 1, after=after
    )
    return (writers.response_object(layout, plan, row) for row in stream)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        abort_with(400, _("%(name)s must be a whole number.", name=name))
    if not low <= number <= high:
        abort_with(400, _("%(name)s must be from %(low)s to %(high)s.", name=name, low=low, high=high))
    return number


@bp.get("/surveys/<int:survey_id>/responses")
def list_responses(survey_id: int):
    survey = _survey(survey_id)
    limit = _int_arg("limit", PAGE_DEFAULT, 1, PAGE_MAX)
    cursor = _int_arg("cursor", 0, 0, 2**62)
    items = list(islice(_records(survey, cursor, limit), limit + 1))
    more = len(items) > limit
    items = items[:limit]
    next_cursor = str(items[-1]["response_id"]) if more and items else None
    return jsonify(items=items, next_cursor=next_cursor)


@bp.get("/surveys/<int:survey_id>/responses.jsonl")
def export_responses(survey_id: int):
    survey = _survey(survey_id)
    downloads.record(survey, "jsonl", _filters(survey))
    records = _records(survey, 0)
    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return Response(stream_with_context(pacing.download(lines)), mimetype="application/x-ndjson; charset=utf-8")


@bp.get("/programmes/<int:programme_id>/metrics")
def get_metrics(programme_id: int):
    try:
        from ..programmes.metrics import compute_set
        from ..programmes.models import Programme
        from ..programmes.windows import WindowError, parse_window
    except ImportError:
        abort_with(404, _("Programmes are not available in this installation."))
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.organisation_id != g.api_token.organisation_id:
        abort_with(404, _("There is no programme %(id)s in this organisation.", id=programme_id))
    try:
        window = parse_window(request.args.get("window") or "")
    except WindowError as error:
        abort_with(400, str(error))
    return Response(
        json.dumps(compute_set(programme, window), ensure_ascii=False, default=str), mimetype="application/json"
    )
