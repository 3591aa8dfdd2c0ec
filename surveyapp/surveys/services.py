"""Survey writes: create, copy, edit structure, publish, with the rules that
keep stored answers meaningful once a survey is live.

Every structural edit is applied in the session, the whole survey is then
checked with the definition rules (codes, logic pointing backwards ...), and
only a clean result is committed; otherwise the session is rolled back and
``EditRefused`` carries the reasons, so nothing is half-saved.
"""

from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from ..audit import Action
from ..database import utcnow
from ..extensions import db
from ..questions import get_type
from ..responses.models import Answer
from . import definition, library
from .models import Option, Page, Question, Survey, SurveyStatus


class EditRefused(ValueError):
    """An edit that would break the survey or reinterpret stored answers."""

    def __init__(self, messages: list[str] | str, problems: list[definition.Problem] | None = None):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        # Definition problems with their JSON paths, when the refusal came
        # from the whole-survey check (lets a form put a message by its field).
        self.problems = list(problems or [])
        super().__init__("; ".join(self.messages))


# ---- reads used by the rules -------------------------------------------


def question_answer_count(question_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(Answer).where(Answer.question_id == question_id)
    ).scalar_one()


def option_answer_count(option_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Answer)
        .where((Answer.option_id == option_id) | (Answer.item_id == option_id))
    ).scalar_one()


def survey_has_answers(survey: Survey) -> bool:
    from ..responses.models import Response

    return (
        db.session.execute(db.select(Response.id).where(Response.survey_id == survey.id).limit(1)).first() is not None
    )


def check_survey(survey: Survey) -> list[definition.Problem]:
    """Definition problems of the survey as it stands in the session."""
    db.session.flush()
    # Collections loaded before the edit keep their old order in memory;
    # reload them so the check sees positions as they now stand.
    for page in survey.pages:
        db.session.expire(page, ["questions"])
    for question in survey.questions:
        db.session.expire(question, ["options"])
    db.session.expire(survey, ["pages", "questions"])
    document = definition.export_definition(survey)
    return definition.validate(document, draft=True)


def _commit_checked(survey: Survey) -> None:
    problems = check_survey(survey)
    if problems:
        db.session.rollback()
        raise EditRefused([p.message for p in problems], problems)
    survey.updated_at = utcnow()
    db.session.commit()


# ---- whole surveys -----------------------------------------------------


def create_blank(
    organisation_id: int, user_id: int | None, *, title: str, kind: str, languages: list[str], default_language: str
) -> Survey:
    survey = Survey(
        organisation_id=organisation_id,
        created_by_id=user_id,
        kind=kind,
        languages=languages,
        default_language=default_language,
        title={default_language: title.strip()},
    )
    survey.pages.append(Page(position=0, title={}))
    db.session.add(survey)
    db.session.commit()
    return survey


def create_from_definition(organisation_id: int, user_id: int | None, document: dict, **overrides) -> Survey:
    """Validate and build; raises definition.DefinitionError (nothing created)."""
    problems = definition.validate(document)
    if problems:
        raise definition.DefinitionError(problems)
    survey = definition.build_survey(document, organisation_id, user_id)
    for key, value in overrides.items():
        setattr(survey, key, value)
    db.session.add(survey)
    db.session.commit()
    return survey


def create_from_template(organisation_id: int, user_id: int | None, key: str) -> Survey:
    return create_from_definition(organisation_id, user_id, library.definition(key))


def duplicate(survey: Survey, user_id: int | None, *, as_template: bool = False) -> Survey:
    document = definition.export_definition(survey)
    suffix = _(" (template)") if as_template else _(" (copy)")
    document["title"] = {lang: text + suffix for lang, text in (document.get("title") or {}).items()}
    if not document["pages"]:
        document["pages"] = []
    copy = definition.build_survey(document, survey.organisation_id, user_id)
    copy.is_template = as_template
    if not copy.pages:
        copy.pages.append(Page(position=0, title={}))
    db.session.add(copy)
    db.session.commit()
    return copy


def create_from_own_template(template: Survey, user_id: int | None) -> Survey:
    """A new draft survey with the structure of one of the organisation's
    own templates (title kept as it is)."""
    document = definition.export_definition(template)
    survey = definition.build_survey(document, template.organisation_id, user_id)
    if not survey.pages:
        survey.pages.append(Page(position=0, title={}))
    db.session.add(survey)
    db.session.commit()
    return survey


def _audit(action: Action, survey: Survey) -> None:
    audit.record(action, survey, title=survey.text("title", survey.default_language))


def delete(survey: Survey) -> None:
    _audit(Action.SURVEY_DELETED, survey)
    db.session.delete(survey)
    db.session.commit()


def set_archived(survey: Survey, archived: bool) -> None:
    if archived != (survey.archived_at is not None):
        _audit(Action.SURVEY_ARCHIVED if archived else Action.SURVEY_RESTORED, survey)
    survey.archived_at = utcnow() if archived else None
    if archived and survey.status == SurveyStatus.OPEN.value:
        survey.status = SurveyStatus.CLOSED.value
    db.session.commit()


def update_details(
    survey: Survey, *, kind: str, languages: list[str], default_language: str, texts: dict[str, dict], anonymous: bool
) -> None:
    """Survey-level fields; ``texts`` maps field name to {language: text}."""
    if default_language not in languages:
        raise EditRefused(_("The default language must be one of the survey's languages."))
    if anonymous != survey.anonymous and survey_has_answers(survey):
        raise EditRefused(_("Responses have been collected, so the anonymity promise made to them cannot change."))
    removed = set(survey.languages) - set(languages)
    survey.kind, survey.languages, survey.default_language, survey.anonymous = (
        kind,
        languages,
        default_language,
        anonymous,
    )
    if removed:
        _drop_languages(survey, removed)
    for field, values in texts.items():
        setattr(survey, field, {k: v.strip() for k, v in values.items() if v and v.strip()})
    _commit_checked(survey)


def _drop_languages(survey: Survey, removed: set[str]) -> None:
    """Texts in languages the survey no longer offers are removed with it,
    so the definition stays valid (a text's keys are among the languages)."""

    def strip(values):
        return {k: v for k, v in (values or {}).items() if k not in removed}

    for field in definition.TEXT_FIELDS:
        setattr(survey, field, strip(getattr(survey, field)))
    for page in survey.pages:
        page.title = strip(page.title)
    for question in survey.questions:
        question.title, question.help_text = strip(question.title), strip(question.help_text)
        settings = dict(question.settings or {})
        for key, value in settings.items():
            if isinstance(value, dict):
                settings[key] = strip(value)
        question.settings = settings
        for option in question.options:
            option.label = strip(option.label)


def update_collection(
    survey: Survey, *, opens_at, closes_at, response_cap: int | None, min_seconds: int | None, switches: dict[str, bool]
) -> None:
    """Schedule (naive UTC), cap and resident-side switches of a survey."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise EditRefused(_("The closing time must be after the opening time."))
    survey.opens_at, survey.closes_at, survey.response_cap = opens_at, closes_at, response_cap
    settings = dict(survey.settings or {})
    if min_seconds:
        settings["min_seconds"] = min_seconds
    else:
        settings.pop("min_seconds", None)
    for key, on in switches.items():
        if on:
            settings[key] = True
        else:
            settings.pop(key, None)
    survey.settings = settings
    survey.updated_at = utcnow()
    db.session.commit()


def missing_translations(survey: Survey) -> list[tuple[str, str]]:
    """(where, language) for every respondent-facing text without a value
    in one of the survey's languages; empty optional texts do not count."""
    missing = []

    def need(values: dict | None, where: str, optional: bool = False):
        values = values or {}
        if optional and not any(v for v in values.values()):
            return
        missing.extend((where, lang) for lang in survey.languages if not (values.get(lang) or "").strip())

    need(survey.title, _("Survey title"))
    for field, label in (
        ("description", _("Description")),
        ("welcome_text", _("Welcome text")),
        ("thankyou_text", _("Thank-you text")),
    ):
        need(getattr(survey, field), label, optional=True)
    for index, page in enumerate(survey.pages, start=1):
        need(page.title, _("Page %(n)d title", n=index), optional=True)
    for question in survey.questions:
        if question.retired_at:
            continue
        need(question.title, _("Question %(code)s", code=question.code))
        need(question.help_text, _("Help text of %(code)s", code=question.code), optional=True)
        for option in question.options:
            if option.retired_at is None:
                need(option.label, _("Answer %(option)s of %(code)s", option=option.code, code=question.code))
    return missing


def publish(survey: Survey) -> None:
    """Open the survey; refused while a text is missing or nothing is asked."""
    problems = []
    if not any(q.retired_at is None and get_type(q.type).takes_answer for q in survey.questions):
        problems.append(_("Add at least one question before publishing."))
    problems += [p.message for p in check_survey(survey)]
    missing = missing_translations(survey)
    if missing:
        problems.append(_("%(n)d texts are missing a translation.", n=len(missing)))
    if problems:
        raise EditRefused(problems)
    if survey.status != SurveyStatus.OPEN.value:
        _audit(
            Action.SURVEY_REOPENED if survey.status == SurveyStatus.CLOSED.value else Action.SURVEY_PUBLISHED, survey
        )
    survey.status = SurveyStatus.OPEN.value
    db.session.commit()


def close(survey: Survey) -> None:
    if survey.status != SurveyStatus.CLOSED.value:
        _audit(Action.SURVEY_CLOSED, survey)
    survey.status = SurveyStatus.CLOSED.value
    db.session.commit()


# ---- pages ---------------------------------------------------------------


def add_page(survey: Survey, title: dict | None = None) -> Page:
    page = Page(position=len(survey.pages), title=title or {})
    survey.pages.append(page)
    db.session.commit()
    return page


def update_page(page: Page, *, title: dict, logic: dict | None) -> None:
    page.title = {k: v.strip() for k, v in title.items() if v and v.strip()}
    page.logic = logic or None
    _commit_checked(page.survey)


def delete_page(page: Page) -> None:
    survey = page.survey
    if any(q.retired_at is None for q in page.questions):
        raise EditRefused(_("Move or delete the questions on this page first."))
    if len(survey.pages) == 1:
        raise EditRefused(_("A survey keeps at least one page."))
    for question in list(page.questions):  # retired ones move to the previous page
        question.page = (
            survey.pages[max(0, survey.pages.index(page) - 1)] if survey.pages.index(page) else survey.pages[1]
        )
    survey.pages.remove(page)
    db.session.delete(page)
    _renumber(survey)
    _commit_checked(survey)


def move_page(page: Page, step: int) -> None:
    survey = page.survey
    pages = list(survey.pages)
    index = pages.index(page)
    target = index + step
    if not 0 <= target < len(pages):
        return
    pages[index], pages[target] = pages[target], pages[index]
    for position, each in enumerate(pages):
        each.position = position
    _renumber(survey, pages)
    _commit_checked(survey)


# ---- questions -------------------------------------------------------------


def _renumber(survey: Survey, pages: list[Page] | None = None) -> None:
    """Question positions follow page order, then order within the page."""
    position = 0
    for page in pages or sorted(survey.pages, key=lambda p: p.position):
        for question in sorted(page.questions, key=lambda q: q.position):
            question.position = position
            position += 1


def next_code(survey: Survey) -> str:
    taken = {q.code for q in survey.questions}
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def add_question(
    page: Page,
    *,
    type_name: str,
    code: str,
    title: dict,
    required: bool = False,
    help_text: dict | None = None,
    metric_role: str | None = None,
    settings: dict | None = None,
    options: list[dict] | None = None,
    items: list[dict] | None = None,
) -> Question:
    qtype = get_type(type_name)
    survey = page.survey
    if options is None:
        options = qtype.default_options() or []
    question = Question(
        survey=survey,
        page=page,
        code=code.strip(),
        type=type_name,
        required=required and qtype.takes_answer,
        title=_clean(title),
        help_text=_clean(help_text or {}),
        metric_role=metric_role or None,
        settings=settings or {},
        position=10**6,
    )
    for kind, entries in (("choice", options), ("item", items or [])):
        for index, entry in enumerate(entries):
            question.options.append(
                Option(
                    kind=kind,
                    code=entry["code"],
                    position=index,
                    label=_clean(entry["label"]),
                    value=entry.get("value"),
                    is_other=bool(entry.get("is_other")),
                )
            )
    db.session.add(question)
    _renumber(survey)
    _commit_checked(survey)
    return question


def update_question(
    question: Question,
    *,
    code: str,
    type_name: str,
    title: dict,
    required: bool,
    help_text: dict,
    metric_role: str | None,
    settings: dict,
) -> None:
    refusals = _apply_fields(
        question,
        code=code,
        type_name=type_name,
        title=title,
        required=required,
        help_text=help_text,
        metric_role=metric_role,
        settings=settings,
    )
    if refusals:
        db.session.rollback()
        raise EditRefused(refusals)
    _commit_checked(question.survey)


def save_question(
    question: Question,
    *,
    code: str,
    type_name: str,
    title: dict,
    required: bool,
    help_text: dict,
    metric_role: str | None,
    settings: dict,
    options: list[dict],
    items: list[dict],
) -> None:
    """Fields, options and matrix items of a question in one transaction:
    either every change is stored or none (EditRefused lists every reason)."""
    refusals = _apply_fields(
        question,
        code=code,
        type_name=type_name,
        title=title,
        required=required,
        help_text=help_text,
        metric_role=metric_role,
        settings=settings,
    )
    qtype = get_type(type_name)
    refusals += _apply_options(question, options if qtype.uses_options else [], "choice")
    refusals += _apply_options(question, items if qtype.uses_items else [], "item")
    if refusals:
        db.session.rollback()
        raise EditRefused(refusals)
    _commit_checked(question.survey)


def _apply_fields(
    question: Question,
    *,
    code: str,
    type_name: str,
    title: dict,
    required: bool,
    help_text: dict,
    metric_role: str | None,
    settings: dict,
) -> list[str]:
    answered = question_answer_count(question.id) > 0
    refusals = []
    if answered and type_name != question.type:
        refusals.append(
            _(
                "This question has answers, so its type cannot change: the stored answers would be misread. Add a new question instead."
            )
        )
    if answered and code.strip() != question.code:
        refusals.append(_("This question has answers, so its code cannot change: exports and logic rely on it."))
    if refusals:
        return refusals
    question.code, question.type = code.strip(), type_name
    question.title, question.help_text = _clean(title), _clean(help_text)
    question.required = required and get_type(type_name).takes_answer
    question.metric_role = metric_role or None
    question.settings = settings
    return []


def set_logic(question: Question, condition: dict | None) -> None:
    question.logic = condition or None
    _commit_checked(question.survey)


def set_options(question: Question, entries: list[dict], kind: str = "choice") -> None:
    """Replace a question's options (or matrix items) with ``entries``
    (dicts with code, label, value, is_other), matched by code.

    Once answered: an option's code and value stay fixed, a removed option
    is retired (hidden from new residents, kept for results), and a Likert
    or matrix scale keeps its points."""
    refusals = _apply_options(question, entries, kind)
    if refusals:
        db.session.rollback()
        raise EditRefused(refusals)
    _commit_checked(question.survey)


def _is_scale(question: Question) -> bool:
    """Scored options (a Likert scale, a matrix): their points are fixed once answered."""
    qtype = get_type(question.type)
    return qtype.uses_options and qtype.numeric


def _apply_options(question: Question, entries: list[dict], kind: str) -> list[str]:
    current = {o.code: o for o in question.options if o.kind == kind}
    wanted_codes = [e["code"].strip() for e in entries]
    answered = {code: option_answer_count(o.id) > 0 for code, o in current.items()} if question.id else {}
    scale_fixed = kind == "choice" and _is_scale(question) and any(answered.values())
    refusals = []
    if scale_fixed and sorted(wanted_codes) != sorted(c for c, o in current.items() if o.retired_at is None):
        refusals.append(
            _("This scale has answers, so its points cannot be added or removed; only their wording can change.")
        )
    for entry in entries:
        option = current.get(entry["code"].strip())
        if option is not None and answered.get(option.code) and entry.get("value") != option.value:
            refusals.append(
                _('Answer "%(code)s" has been chosen already, so its value cannot change.', code=option.code)
            )
    if refusals:
        return refusals
    for position, entry in enumerate(entries):
        code = entry["code"].strip()
        option = current.get(code)
        if option is None:
            option = Option(kind=kind, code=code)
            question.options.append(option)
        option.position, option.label = position, _clean(entry["label"])
        option.value, option.is_other, option.retired_at = entry.get("value"), bool(entry.get("is_other")), None
    for code, option in current.items():
        if code in wanted_codes:
            continue
        if answered.get(code):
            option.retired_at = option.retired_at or utcnow()
            option.position = 10**3 + option.position
        else:
            question.options.remove(option)
            db.session.delete(option)
    return []


def delete_question(question: Question) -> str:
    """Delete an unanswered question; retire an answered one. Returns
    ``"deleted"`` or ``"retired"``. Refused when later logic uses it."""
    survey = question.survey
    if question_answer_count(question.id) > 0:
        question.retired_at = utcnow()
        outcome = "retired"
    else:
        db.session.delete(question)
        db.session.flush()
        for page in survey.pages:
            db.session.expire(page, ["questions"])
        db.session.expire(survey, ["questions"])
        outcome = "deleted"
    _renumber(survey)
    _commit_checked(survey)
    return outcome


def move_question(question: Question, step: int) -> None:
    """Up or down one place; past the top or bottom of its page it moves to
    the end of the previous page or the start of the next one."""
    survey = question.survey
    pages = sorted(survey.pages, key=lambda p: p.position)
    page = question.page
    siblings = sorted(page.questions, key=lambda q: q.position)
    index = siblings.index(question)
    target = index + step
    if 0 <= target < len(siblings):
        other = siblings[target]
        question.position, other.position = other.position, question.position
    else:
        page_index = pages.index(page) + (1 if step > 0 else -1)
        if not 0 <= page_index < len(pages):
            return
        new_page = pages[page_index]
        question.page = new_page
        question.position = -1 if step > 0 else 10**6
    _renumber(survey, pages)
    _commit_checked(survey)


def _clean(text: dict) -> dict:
    return {k: v.strip() for k, v in (text or {}).items() if isinstance(v, str) and v.strip()}
