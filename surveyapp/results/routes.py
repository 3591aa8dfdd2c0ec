"""Results pages: organiser summary (manage_*) and public results (display_*)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _

from .. import charts
from ..access import current_org, current_role, get_owned_or_404, role_required
from ..analytics import cache, privacy
from ..analytics.crosstab import CROSSABLE, crosstab
from ..analytics.filters import FILTERABLE_TYPES, FilterError, Filters, parse_day, parse_filters
from ..analytics.queries import Scope, text_answers
from ..analytics.service import summary_for
from ..analytics.summary import family_of, ordered_questions
from ..analytics.waves import compare, date_waves
from ..analytics.weighting import demographic_questions, weigh
from ..extensions import db
from ..orgs.models import Organisation, Role
from ..responses.models import Channel
from ..routing import BIGINT_MAX, id_from_text
from ..surveys.models import Survey
from . import services

bp = Blueprint("results", __name__)
PAGE_SIZE = 20


# ---- helpers --------------------------------------------------------------


def _language(survey: Survey) -> str:
    """The page language if the survey has it, else the survey's default."""
    lang = str(get_locale() or survey.default_language)
    return lang if lang in (survey.languages or []) else survey.default_language


def _filters(survey: Survey, organisation: Organisation) -> Filters:
    try:
        return parse_filters(request.args, survey, organisation.timezone)
    except FilterError as error:
        _bad_request(survey, str(error))


def _bad_request(survey: Survey, message: str):
    """A 400 that keeps the results page around the message, with a way back."""
    response = make_response(render_template("results/bad_request.html", survey=survey, message=message), 400)
    abort(response)


def _privacy_k(filters: Filters, organisation: Organisation) -> int | None:
    """Viewers see filtered views with the privacy floor; editors and owners
    can read individual responses anyway, so suppression would protect no one."""
    if current_role() == Role.VIEWER and filters.segmented:
        return privacy.effective_k(organisation.privacy_min_cell)
    return None


def _args() -> dict:
    return request.args.to_dict(flat=False)


def _svg_response(key: tuple, build) -> object:
    body = cache.charts.get_or_set(key, build)
    if body is None:
        abort(404)
    response = make_response(body)
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.set_etag(hashlib.sha256(repr(key).encode()).hexdigest()[:32])
    return response.make_conditional(request)


def _filter_choices(survey: Survey, language: str) -> list[dict]:
    return [
        {
            "code": q.code,
            "title": q.text("title", language),
            "options": [(o.code, o.text(language)) for o in q.options if o.kind == "choice" and o.retired_at is None],
        }
        for q in ordered_questions(survey)
        if q.type in FILTERABLE_TYPES and q.retired_at is None
    ]


# ---- organiser pages ------------------------------------------------------


@bp.get("/surveys/<int:survey_id>/results")
@role_required(Role.VIEWER)
def manage_summary(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    organisation = current_org()
    filters = _filters(survey, organisation)
    language = _language(survey)
    document = summary_for(survey, filters, language, _privacy_k(filters, organisation))
    return render_template(
        "results/summary.html",
        survey=survey,
        doc=document,
        filters=filters,
        args=_args(),
        choices=_filter_choices(survey, language),
        channels=[c.value for c in Channel],
        crossable=[q for q in ordered_questions(survey) if family_of(q) in CROSSABLE and q.retired_at is None],
        public=False,
        chart_endpoint="results.manage_chart",
    )


@bp.get("/surveys/<int:survey_id>/results/charts/<int:question_id>.svg")
@role_required(Role.VIEWER)
def manage_chart(survey_id: int, question_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    organisation = current_org()
    filters = _filters(survey, organisation)
    language = _language(survey)
    k = _privacy_k(filters, organisation)
    key = ("chart", survey.id, question_id, filters.key(), language, k, cache.state_key(survey.id))
    return _svg_response(key, lambda: _chart(survey, filters, language, k, question_id))


def _chart(survey, filters, language, k, question_id):
    document = summary_for(survey, filters, language, k)
    if question_id == 0:
        days = (document.get("over_time") or {}).get("day") or []
        return charts.counts_over_time(days) if days and not document["privacy"]["view_suppressed"] else None
    entry = next((q for q in document["questions"] if q["id"] == question_id), None)
    return charts.question_chart(entry) if entry else None


@bp.get("/surveys/<int:survey_id>/results/questions/<int:question_id>/answers")
@role_required(Role.VIEWER)
def manage_answers(survey_id: int, question_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    organisation = current_org()
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None or not (family_of(question) == "text" or any(o.is_other for o in question.options)):
        abort(404)
    filters = _filters(survey, organisation)
    search = (request.args.get("q") or "").strip()[:200]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        _bad_request(survey, _("The page number must be a whole number."))
    if (page - 1) * PAGE_SIZE > BIGINT_MAX:  # an offset the database cannot take
        _bad_request(survey, _("There is no page %(page)s.", page=page))
    hidden = _privacy_k(filters, organisation) is not None
    items, total = (
        ([], 0)
        if hidden
        else text_answers(Scope(survey.id, filters), question.id, search, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    )
    return render_template(
        "results/answers.html",
        survey=survey,
        question=question,
        items=items,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        search=search,
        hidden=hidden,
        args=_args(),
        language=_language(survey),
    )


@bp.get("/surveys/<int:survey_id>/results/crosstab")
@role_required(Role.VIEWER)
def manage_crosstab(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    organisation = current_org()
    filters = _filters(survey, organisation)
    language = _language(survey)
    crossable = {q.code: q for q in ordered_questions(survey) if family_of(q) in CROSSABLE}
    row_code, col_code = request.args.get("row", ""), request.args.get("column", "")
    result = None
    if row_code or col_code:
        for code in (row_code, col_code):
            if code not in crossable:
                _bad_request(survey, _("There is no choice question with the code %(code)s in this survey.", code=code))
        if row_code == col_code:
            _bad_request(survey, _("Choose two different questions to cross."))
        k = privacy.effective_k(organisation.privacy_min_cell) if current_role() == Role.VIEWER else None
        result = crosstab(survey, filters, crossable[row_code], crossable[col_code], language, k)
    return render_template(
        "results/crosstab.html",
        survey=survey,
        result=result,
        crossable=list(crossable.values()),
        row_code=row_code,
        col_code=col_code,
        language=language,
        args=_args(),
    )


@bp.route("/surveys/<int:survey_id>/results/weighting", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def manage_weighting(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    language = _language(survey)
    dims = demographic_questions(survey)
    allowed = {d: [o.code for o in q.options if o.kind == "choice" and o.retired_at is None] for d, q in dims.items()}
    errors, status = [], 200
    if request.method == "POST":
        if not current_role().allows(Role.EDITOR):
            abort(403)
        try:
            if "file" in request.files:
                upload = request.files["file"]
                margins = services.margins_from_csv(upload.read(), allowed)
            else:
                margins = services.margins_from_form(request.form, allowed)
            services.save_margins(survey.id, margins)
            return redirect(url_for("results.manage_weighting", survey_id=survey.id), 303)
        except services.MarginError as error:
            errors, status = error.messages, 400
    margins = services.load_margins(survey.id)
    result = weigh(survey, margins, language) if margins else None
    form_values = {f"m-{d}-{c}": v for d, cats in margins.items() for c, v in cats.items()}
    if request.method == "POST":
        form_values.update({k: v for k, v in request.form.items() if k.startswith("m-")})
    return render_template(
        "results/weighting.html",
        survey=survey,
        dims=dims,
        allowed=allowed,
        errors=errors,
        result=result,
        values=form_values,
        language=language,
        can_edit=current_role().allows(Role.EDITOR),
    ), status


@bp.get("/surveys/<int:survey_id>/results/compare")
@role_required(Role.VIEWER)
def manage_compare(survey_id: int):
    survey = get_owned_or_404(Survey, survey_id)
    organisation = current_org()
    language = _language(survey)
    others = (
        db.session.execute(
            db.select(Survey)
            .where(Survey.organisation_id == organisation.id, Survey.id != survey.id, Survey.is_template.is_(False))
            .order_by(Survey.id.desc())
        )
        .scalars()
        .all()
    )
    result, before_label, after_label = None, None, None
    other_id = request.args.get("with", "").strip()
    ranges = [request.args.get(k, "").strip() for k in ("before_from", "before_to", "after_from", "after_to")]
    base = Filters(timezone=organisation.timezone)
    if other_id:
        number = id_from_text(other_id)
        other = db.session.get(Survey, number) if number is not None else None
        if other is None or other.organisation_id != organisation.id:
            _bad_request(survey, _("Choose a survey of your organisation to compare with."))
        result = compare((other, base), (survey, base), language)
        before_label, after_label = other.text("title", language), survey.text("title", language)
    elif any(ranges):
        try:
            days = [parse_day(v, _("A date")) for v in ranges]
        except FilterError as error:
            _bad_request(survey, str(error))
        if not all(days):
            _bad_request(survey, _("Give a start and an end date for both periods."))
        if days[0] > days[1] or days[2] > days[3]:
            _bad_request(survey, _("A period starts after it ends: check the dates."))
        if days[1] >= days[2]:
            _bad_request(survey, _('The "before" period must end before the "after" period starts.'))
        wave_a, wave_b = date_waves(base, ((days[0], days[1]), (days[2], days[3])))
        result = compare((survey, wave_a), (survey, wave_b), language)
        before_label = f"{days[0].isoformat()} – {days[1].isoformat()}"
        after_label = f"{days[2].isoformat()} – {days[3].isoformat()}"
    if result is not None and current_role() == Role.VIEWER:
        k = privacy.effective_k(organisation.privacy_min_cell)
        if min(result["n_before"], result["n_after"]) < k:
            result = {"suppressed": True, "k": k}
    return render_template(
        "results/compare.html",
        survey=survey,
        others=others,
        result=result,
        before_label=before_label,
        after_label=after_label,
        args=request.args,
    )


# ---- public results -------------------------------------------------------


def _public_survey(token: str) -> tuple[Survey, Organisation]:
    survey = db.session.execute(db.select(Survey).filter_by(public_token=token)).scalar_one_or_none()
    if survey is None or survey.setting("public_results") is not True or survey.is_template or survey.archived_at:
        abort(404)
    return survey, db.session.get(Organisation, survey.organisation_id)


def _public_language(survey: Survey) -> str:
    """The resident's language: ?lang=, else the page locale, else the survey's
    default; the page chrome follows it when Suara speaks that language."""
    wanted = request.args.get("lang") or str(get_locale() or "")
    language = wanted if wanted in (survey.languages or []) else survey.default_language
    if language in current_app.config["LANGUAGES"]:
        g.force_locale = language
        refresh()
    return language


@bp.get("/s/<token>/results")
def display_results(token: str):
    survey, organisation = _public_survey(token)
    language = _public_language(survey)
    k = privacy.effective_k(organisation.privacy_min_cell)
    document = summary_for(survey, Filters(timezone=organisation.timezone), language, k)
    return render_template(
        "results/public.html",
        survey=survey,
        doc=document,
        args={},
        public=True,
        chart_endpoint="results.display_chart",
        token=token,
        language=language,
    )


@bp.get("/s/<token>/results/charts/<int:question_id>.svg")
def display_chart(token: str, question_id: int):
    survey, organisation = _public_survey(token)
    language = _public_language(survey)
    k = privacy.effective_k(organisation.privacy_min_cell)
    filters = Filters(timezone=organisation.timezone)
    key = ("public-chart", survey.id, question_id, language, k, cache.state_key(survey.id))
    return _svg_response(key, lambda: _chart(survey, filters, language, k, question_id))


@bp.app_template_filter("results_without")
def _without(args: dict, keys) -> dict:
    """Query arguments minus ``keys`` (for pager and back links)."""
    return {k: v for k, v in args.items() if k not in keys}
