"""Builder pages (organisers: editors and owners design, viewers read).

Every view: load (the survey through get_owned_or_404, so another
organisation's survey is a 404) -> check the role -> parse the form
(forms.py) -> call a survey service -> respond (303 after success, the
form again with 422 and its messages after bad input).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import current_org, current_role, get_owned_or_404, role_required
from ..errors import abort_with
from ..extensions import db
from ..orgs.models import Role
from ..questions import DEFAULT_TYPE, QUESTION_TYPES, get_type
from ..surveys import definition, library, services, visibility
from ..surveys.models import Page, Question, Survey, SurveyStatus
from . import forms, queries

bp = Blueprint("builder", __name__, url_prefix="/surveys")


# ---- loading ---------------------------------------------------------------


def _survey(survey_id: int) -> Survey:
    return get_owned_or_404(Survey, survey_id)


def _page(survey: Survey, page_id: int) -> Page:
    page = db.session.get(Page, page_id)
    if page is None or page.survey_id != survey.id:
        abort(404)
    return page


def _question(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _can_edit() -> bool:
    role = current_role()
    return role is not None and role.allows(Role.EDITOR)


def _to_survey(survey: Survey, anchor: str | None = None):
    return redirect(url_for("builder.manage_survey", survey_id=survey.id, _anchor=anchor), 303)


@bp.app_context_processor
def builder_helpers():
    def recent_surveys():
        organisation = current_org()
        return queries.recent_surveys(organisation.id)

    return {"builder_recent_surveys": recent_surveys}


@bp.context_processor
def labels():
    return {
        "TYPE_LABELS": forms.TYPE_LABELS,
        "KIND_LABELS": forms.KIND_LABELS,
        "OP_LABELS": forms.OP_LABELS,
        "ROLE_KINDS": forms.ROLE_KINDS,
        "can_edit": _can_edit(),
        "describe_condition": describe_condition,
    }


def describe_condition(condition: dict | None) -> str:
    """A condition in words, e.g. ``uses_clinic equals yes and age > 17``."""
    if not condition:
        return ""
    for key, joiner in (("all", _(" and ")), ("any", _(" or "))):
        if key in condition:
            parts = [describe_condition(c) for c in condition[key]]
            return joiner.join(f"({p})" if ("all" in c or "any" in c) else p for p, c in zip(parts, condition[key]))
    subject = condition.get("question", "?")
    if condition.get("item"):
        subject += f" [{condition['item']}]"
    op = str(forms.OP_LABELS.get(condition.get("op"), condition.get("op")))
    value = condition.get("value")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"{subject} {op}" + (f" {value}" if value is not None else "")


# ---- lists and new surveys ---------------------------------------------------------


@bp.route("/")
@role_required(Role.VIEWER)
def manage_surveys():
    organisation = current_org()
    surveys = queries.surveys_of(organisation.id)
    counts = queries.response_counts([s.id for s in surveys])
    return render_template(
        "builder/list.html",
        surveys=[s for s in surveys if not s.is_template and not s.archived_at],
        templates=[s for s in surveys if s.is_template and not s.archived_at],
        archived=[s for s in surveys if s.archived_at],
        counts=counts,
    )


def _render_new(status: int = 200, *, blank=None, errors=None, import_problems=None, template_problems=None):
    organisation = current_org()
    blank = blank or {
        "title": "",
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": organisation.default_language or "id",
        "new_languages": "",
    }
    return render_template(
        "builder/new.html",
        blank=blank,
        errors=errors or {},
        library=library.templates(),
        own_templates=queries.own_templates(organisation.id),
        import_problems=import_problems or [],
        template_problems=template_problems or [],
    ), status


@bp.route("/new")
@role_required(Role.EDITOR)
def manage_new():
    return _render_new()


@bp.route("/new/blank", methods=["POST"])
@role_required(Role.EDITOR)
def manage_create_blank():
    organisation = current_org()
    state, errors = forms.parse_new_survey(request.form)
    if errors:
        return _render_new(422, blank=state, errors=errors)
    survey = services.create_blank(
        organisation.id,
        current_user.id,
        title=state["title"],
        kind=state["kind"],
        languages=state["languages"],
        default_language=state["default_language"],
    )
    flash(_("Survey created. Add your questions."), "success")
    return _to_survey(survey)


@bp.route("/new/template", methods=["POST"])
@role_required(Role.EDITOR)
def manage_create_from_template():
    organisation = current_org()
    source, _sep, key = (request.form.get("template") or "").partition(":")
    try:
        if source == "library":
            survey = services.create_from_template(organisation.id, current_user.id, key)
        elif source == "own" and key.isdigit():
            template = _survey(int(key))
            if not template.is_template:
                abort(404)
            survey = services.create_from_own_template(template, current_user.id)
        else:
            abort_with(400, _("Choose one of the listed templates."))
    except KeyError:
        abort(404)
    except definition.DefinitionError as error:
        return _render_new(422, template_problems=error.problems)
    flash(_("Survey created from the template. Adjust it to your needs."), "success")
    return _to_survey(survey)


@bp.route("/import", methods=["POST"])
@role_required(Role.EDITOR)
def manage_import():
    organisation = current_org()
    upload = request.files.get("definition")
    if upload is None or not upload.filename:
        return _render_new(
            422, import_problems=[definition.Problem("", _("Choose a survey definition file (.json) to import."))]
        )
    try:
        document = definition.parse(upload.read(definition.MAX_BYTES + 1))
        survey = services.create_from_definition(organisation.id, current_user.id, document)
    except definition.DefinitionError as error:
        return _render_new(422, import_problems=error.problems)
    flash(_("Survey imported."), "success")
    return _to_survey(survey)


# ---- one survey ----------------------------------------------------------------


def _render_survey(survey: Survey, status: int = 200, errors: list[str] | None = None):
    pages = sorted(survey.pages, key=lambda p: p.position)
    questions_by_page = {page.id: sorted(page.questions, key=lambda q: q.position) for page in pages}
    responses = queries.response_counts([survey.id]).get(survey.id, 0)
    return render_template(
        "builder/survey.html",
        survey=survey,
        pages=pages,
        questions_by_page=questions_by_page,
        answered=queries.question_answer_counts(survey),
        responses=responses,
        missing=services.missing_translations(survey),
        errors=errors or [],
        question_types=list(QUESTION_TYPES),
    ), status


@bp.route("/<int:survey_id>")
@role_required(Role.VIEWER)
def manage_survey(survey_id: int):
    return _render_survey(_survey(survey_id))


@bp.route("/<int:survey_id>/preview")
@role_required(Role.VIEWER)
def manage_preview(survey_id: int):
    survey = _survey(survey_id)
    lang = request.args.get("lang")
    if lang not in survey.languages:
        lang = survey.default_language
    return render_template("builder/preview.html", survey=survey, lang=lang, pages=visibility.active_pages(survey))


@bp.route("/<int:survey_id>/definition.json")
@role_required(Role.VIEWER)
def manage_definition(survey_id: int):
    survey = _survey(survey_id)
    body = json.dumps(definition.export_definition(survey), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="suara-survey-{survey.id}.json"',
        },
    )


@bp.route("/<int:survey_id>/details", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_details(survey_id: int):
    survey = _survey(survey_id)
    if request.method == "GET":
        return render_template(
            "builder/details.html", survey=survey, state=forms.details_state(survey), errors={}, refusals=[]
        )
    state, errors = forms.parse_details(request.form, survey)
    refusals = []
    if not errors:
        try:
            services.update_details(
                survey,
                kind=state["kind"],
                languages=state["languages"],
                default_language=state["default_language"],
                texts={f: state[f] for f in definition.TEXT_FIELDS},
                anonymous=state["anonymous"],
            )
        except services.EditRefused as refusal:
            refusals = refusal.messages
        else:
            flash(_("Survey details saved."), "success")
            return _to_survey(survey)
    return render_template("builder/details.html", survey=survey, state=state, errors=errors, refusals=refusals), 422


@bp.route("/<int:survey_id>/collection", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_collection(survey_id: int):
    """Schedule, response cap and resident-side switches."""
    from . import collection_form

    survey = _survey(survey_id)
    tz_name = current_org().timezone
    form = collection_form.form_for(survey, tz_name, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        services.update_collection(
            survey,
            opens_at=collection_form.to_utc(form.opens_at.data, tz_name),
            closes_at=collection_form.to_utc(form.closes_at.data, tz_name),
            response_cap=form.response_cap.data,
            min_seconds=form.min_seconds.data,
            switches={key: bool(getattr(form, key).data) for key in collection_form.SWITCHES},
        )
        flash(_("Collection settings saved."), "success")
        return _to_survey(survey)
    status = 422 if request.method == "POST" else 200
    return render_template("builder/collection.html", survey=survey, form=form, tz_name=tz_name), status


def _simple_action(survey: Survey, action, success: str, anchor: str | None = None):
    try:
        action()
    except services.EditRefused as refusal:
        db.session.rollback()
        return _render_survey(survey, 422, refusal.messages)
    flash(success, "success")
    return _to_survey(survey, anchor)


@bp.route("/<int:survey_id>/duplicate", methods=["POST"])
@role_required(Role.EDITOR)
def manage_duplicate(survey_id: int):
    copy = services.duplicate(_survey(survey_id), current_user.id)
    flash(_("Copy created. You are now editing the copy."), "success")
    return _to_survey(copy)


@bp.route("/<int:survey_id>/save-as-template", methods=["POST"])
@role_required(Role.EDITOR)
def manage_save_template(survey_id: int):
    template = services.duplicate(_survey(survey_id), current_user.id, as_template=True)
    flash(_('Saved as a template of your organisation: it is offered under "New survey".'), "success")
    return _to_survey(template)


@bp.route("/<int:survey_id>/archive", methods=["POST"])
@role_required(Role.EDITOR)
def manage_archive(survey_id: int):
    survey = _survey(survey_id)
    archived = request.form.get("archived") != "0"
    services.set_archived(survey, archived)
    flash(_("Survey archived.") if archived else _("Survey restored from the archive."), "success")
    return _to_survey(survey)


@bp.route("/<int:survey_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_delete(survey_id: int):
    survey = _survey(survey_id)
    responses = queries.response_counts([survey.id]).get(survey.id, 0)
    if request.method == "POST":
        if responses and not request.form.get("confirm_responses"):
            error = _("Tick the box to confirm that the responses are deleted too, or archive the survey instead.")
            return render_template("builder/delete_survey.html", survey=survey, responses=responses, error=error), 422
        services.delete(survey)
        flash(_("Survey deleted."), "success")
        return redirect(url_for("builder.manage_surveys"), 303)
    return render_template("builder/delete_survey.html", survey=survey, responses=responses, error=None)


@bp.route("/<int:survey_id>/publish", methods=["POST"])
@role_required(Role.EDITOR)
def manage_publish(survey_id: int):
    survey = _survey(survey_id)
    if survey.is_template:
        return _render_survey(survey, 422, [_("A template is not published: create a survey from it first.")])
    return _simple_action(survey, lambda: services.publish(survey), _("The survey is open for responses."))


@bp.route("/<int:survey_id>/close", methods=["POST"])
@role_required(Role.EDITOR)
def manage_close(survey_id: int):
    survey = _survey(survey_id)
    if survey.status != SurveyStatus.OPEN.value:
        return _render_survey(survey, 422, [_("Only an open survey can be closed.")])
    services.close(survey)
    flash(_("The survey is closed: it accepts no more responses."), "success")
    return _to_survey(survey)


# ---- pages ---------------------------------------------------------------------


@bp.route("/<int:survey_id>/pages", methods=["POST"])
@role_required(Role.EDITOR)
def manage_add_page(survey_id: int):
    survey = _survey(survey_id)
    if len(survey.pages) >= 50:
        return _render_survey(survey, 422, [_("A survey can have at most 50 pages.")])
    page = services.add_page(survey)
    flash(_("Page added."), "success")
    return _to_survey(survey, f"page-{page.id}")


@bp.route("/<int:survey_id>/pages/<int:page_id>", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    if request.method == "GET":
        title = {lang: (page.title or {}).get(lang, "") for lang in survey.languages}
        return render_template("builder/page.html", survey=survey, page=page, title=title, errors={}, refusals=[])
    title, errors = forms.parse_page_title(request.form, survey)
    refusals = []
    if not errors:
        try:
            services.update_page(page, title=title, logic=page.logic)
        except services.EditRefused as refusal:
            refusals = refusal.messages
        else:
            flash(_("Page saved."), "success")
            return _to_survey(survey, f"page-{page.id}")
    return render_template(
        "builder/page.html", survey=survey, page=page, title=title, errors=errors, refusals=refusals
    ), 422


@bp.route("/<int:survey_id>/pages/<int:page_id>/move", methods=["POST"])
@role_required(Role.EDITOR)
def manage_move_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    step = _step()
    return _simple_action(survey, lambda: services.move_page(page, step), _("Page moved."), f"page-{page.id}")


@bp.route("/<int:survey_id>/pages/<int:page_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def manage_delete_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    return _simple_action(survey, lambda: services.delete_page(page), _("Page deleted."))


def _step() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort_with(400, _("Choose up or down."))
    return -1 if direction == "up" else 1


# ---- questions ---------------------------------------------------------------------


def _render_question(survey, state, *, page=None, question=None, errors=None, refusals=None, status=200):
    option_counts = queries.option_answer_counts(question) if question is not None else {}
    answered_codes = {
        (o.kind, o.code) for o in (question.options if question is not None else []) if option_counts.get(o.id)
    }
    return render_template(
        "builder/question.html",
        survey=survey,
        page=page or (question.page if question else None),
        question=question,
        state=state,
        errors=errors or {},
        refusals=refusals or [],
        qtype=QUESTION_TYPES.get(state["type"]),
        answer_count=services.question_answer_count(question.id) if question is not None else 0,
        answered_codes=answered_codes,
        option_counts=option_counts,
        retired_options=[o for o in (question.options if question else []) if o.retired_at is not None],
    ), status


def _problem_errors(refusal: services.EditRefused) -> dict:
    """Put survey-check problems next to the field they concern."""
    errors = {}
    for problem in refusal.problems:
        rel = problem.path.split("]", 2)[-1].lstrip(".") if ".questions[" in problem.path else ""
        field_name = {"code": "code", "options": "options", "items": "items", "logic": "logic"}.get(
            rel.split("[")[0].split(".")[0]
        )
        if rel.startswith("settings."):
            field_name = "s-" + rel.split(".", 1)[1]
        if field_name and field_name not in errors:
            errors[field_name] = problem.message
    return errors


@bp.route("/<int:survey_id>/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_add_question(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    languages = list(survey.languages)
    if request.method == "GET":
        type_name = request.args.get("type") or DEFAULT_TYPE
        if type_name not in QUESTION_TYPES:
            abort_with(400, _("Choose one of the listed question types."))
        state = forms.new_question_state(type_name, services.next_code(survey), languages)
        return _render_question(survey, state, page=page)
    state = forms.question_state_from_form(request.form, languages)
    if forms.apply_row_action(state, request.form.get("action", ""), languages):
        return _render_question(survey, state, page=page)
    data, errors = forms.validate_question(state, survey)
    if errors:
        return _render_question(survey, state, page=page, errors=errors, status=422)
    try:
        question = services.add_question(
            page,
            type_name=data.type_name,
            code=data.code,
            title=data.title,
            required=data.required,
            help_text=data.help_text,
            metric_role=data.metric_role,
            settings=data.settings,
            options=data.options,
            items=data.items,
        )
    except services.EditRefused as refusal:
        return _render_question(
            survey,
            state,
            page=_page(survey, page_id),
            errors=_problem_errors(refusal),
            refusals=refusal.messages,
            status=422,
        )
    flash(_("Question added."), "success")
    return _to_survey(survey, f"question-{question.id}")


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    languages = list(survey.languages)
    if request.method == "GET":
        return _render_question(survey, forms.question_state(question, languages), question=question)
    state = forms.question_state_from_form(request.form, languages)
    if forms.apply_row_action(state, request.form.get("action", ""), languages):
        return _render_question(survey, state, question=question)
    data, errors = forms.validate_question(state, survey, question)
    if errors:
        return _render_question(survey, state, question=question, errors=errors, status=422)
    try:
        services.save_question(
            question,
            code=data.code,
            type_name=data.type_name,
            title=data.title,
            required=data.required,
            help_text=data.help_text,
            metric_role=data.metric_role,
            settings=data.settings,
            options=data.options,
            items=data.items,
        )
    except services.EditRefused as refusal:
        question = _question(survey, question_id)
        return _render_question(
            survey, state, question=question, errors=_problem_errors(refusal), refusals=refusal.messages, status=422
        )
    flash(_("Question saved."), "success")
    return _to_survey(survey, f"question-{question.id}")


@bp.route("/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@role_required(Role.EDITOR)
def manage_move_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    step = _step()
    return _simple_action(
        survey, lambda: services.move_question(question, step), _("Question moved."), f"question-{question.id}"
    )


@bp.route("/<int:survey_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_delete_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    answers = services.question_answer_count(question.id)
    if request.method == "GET":
        return render_template(
            "builder/delete_question.html", survey=survey, question=question, answers=answers, error=None
        )
    try:
        outcome = services.delete_question(question)
    except services.EditRefused as refusal:
        question = _question(survey, question_id)
        return render_template(
            "builder/delete_question.html",
            survey=survey,
            question=question,
            answers=answers,
            error=" ".join(refusal.messages),
        ), 422
    if outcome == "retired":
        flash(
            _(
                "The question has answers, so it was retired: residents no longer see it, and its answers stay in the results."
            ),
            "info",
        )
    else:
        flash(_("Question deleted."), "success")
    return _to_survey(survey)


# ---- skip logic ------------------------------------------------------------------


def _earlier_questions(survey: Survey, *, question: Question | None = None, page: Page | None = None) -> list[Question]:
    """Questions a condition may use: live, answerable, and before the
    question (or on pages before the page)."""
    ordered = []
    for each_page in sorted(survey.pages, key=lambda p: p.position):
        if page is not None and each_page.position >= page.position:
            break
        for each in sorted(each_page.questions, key=lambda q: q.position):
            if question is not None and each.id == question.id:
                return ordered
            if each.retired_at is None and get_type(each.type).takes_answer:
                ordered.append(each)
    return ordered


def _logic_view(survey: Survey, *, question: Question | None = None, page: Page | None = None):
    target = question.logic if question is not None else page.logic
    earlier = _earlier_questions(survey, question=question, page=page)
    if request.method == "GET":
        state = forms.logic_state(target)
        state["clauses"] += [{"question": "", "item": "", "op": "equals", "value": ""}] * (
            3 if not state["clauses"] else 1
        )
        return _render_logic(survey, state, earlier, question=question, page=page)
    state = forms.logic_state_from_form(request.form)
    action = request.form.get("action") or "rows"
    if action == "more":
        state["clauses"] += [{"question": "", "item": "", "op": "equals", "value": ""}] * 2
        return _render_logic(survey, state, earlier, question=question, page=page)
    if action == "clear":
        condition, errors = None, {}
    elif action == "json":
        condition, errors = forms.condition_from_json(state["json"])
    else:
        condition, errors = forms.condition_from_rows(state, {q.code: q for q in earlier})
    if errors:
        return _render_logic(survey, state, earlier, question=question, page=page, errors=errors, status=422)
    try:
        if question is not None:
            services.set_logic(question, condition)
        else:
            services.update_page(page, title=dict(page.title or {}), logic=condition)
    except services.EditRefused as refusal:
        field_name = "advanced" if action == "json" else "logic"
        question = _question(survey, question.id) if question is not None else None
        page = _page(survey, page.id) if page is not None else None
        return _render_logic(
            survey,
            state,
            _earlier_questions(survey, question=question, page=page),
            question=question,
            page=page,
            errors={field_name: " ".join(refusal.messages)},
            status=422,
        )
    flash(_("Conditions saved.") if condition else _("Conditions removed: always shown."), "success")
    return _to_survey(survey, f"question-{question.id}" if question is not None else f"page-{page.id}")


def _render_logic(survey, state, earlier, *, question=None, page=None, errors=None, status=200):
    return render_template(
        "builder/logic.html",
        survey=survey,
        state=state,
        earlier=earlier,
        question=question,
        page=page,
        errors=errors or {},
        ops=forms.OP_LABELS,
    ), status


@bp.route("/<int:survey_id>/questions/<int:question_id>/logic", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_question_logic(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    return _logic_view(survey, question=_question(survey, question_id))


@bp.route("/<int:survey_id>/pages/<int:page_id>/logic", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_page_logic(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    return _logic_view(survey, page=_page(survey, page_id))
