"""Page arithmetic and validation for answering a survey (no writes).

Pages are numbered 1..N over the survey's active pages (pages with at least
one live question), whatever skip logic does; a response's ``last_page``
and the ``?page=`` of resume links use these numbers. Raw answers are the
shapes the question types read from a form (see surveyapp/questions/).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..extensions import db
from ..questions import get_type
from ..surveys.models import Question, Survey
from ..surveys.visibility import VisiblePage, active_pages, visible
from .models import Answer


@dataclass
class PageCheck:
    """The outcome of checking one submitted page against all answers."""

    raws: dict  # every answer so far, with this page's answers applied
    pages: list[VisiblePage]  # pages visible with those answers
    page: VisiblePage | None  # the submitted page, None if it is hidden now
    errors: dict[str, str] = field(default_factory=dict)
    # Questions this answer made visible on the same page (not yet seen).
    revealed: list[str] = field(default_factory=list)

    @property
    def visible_codes(self) -> set[str]:
        return {q.code for p in self.pages for q in p.questions}


def page_questions(survey: Survey, number: int) -> list[Question]:
    """Every live question of page ``number``, visible or not."""
    pages = active_pages(survey)
    if not 1 <= number <= len(pages):
        return []
    return pages[number - 1][1]


def page_count(survey: Survey) -> int:
    return len(active_pages(survey))


def number_of(entry: VisiblePage) -> int:
    return entry.index + 1


def find(pages: list[VisiblePage], number: int) -> VisiblePage | None:
    return next((p for p in pages if number_of(p) == number), None)


def next_number(pages: list[VisiblePage], number: int) -> int | None:
    return next((number_of(p) for p in pages if number_of(p) > number), None)


def previous_number(pages: list[VisiblePage], number: int) -> int | None:
    earlier = [number_of(p) for p in pages if number_of(p) < number]
    return earlier[-1] if earlier else None


def resume_number(pages: list[VisiblePage], last_page: int | None) -> int | None:
    """Where a resident continues: the first visible page after the last
    one saved, else the last visible page (all saved, not yet finished)."""
    if not pages:
        return None
    following = next_number(pages, last_page or 0)
    return following if following is not None else number_of(pages[-1])


def read_page(survey: Survey, number: int, form) -> dict:
    """Raw answers for the questions of page ``number`` from a form."""
    raws = {}
    for question in page_questions(survey, number):
        qtype = get_type(question.type)
        if qtype.takes_answer:
            raws[question.code] = qtype.read(question, form)
    return raws


def normalise_raw(question: Question, value):
    """Accept simple values from the API or paper entry as well as the form
    shapes: "yes" for a single choice, ["a", "b"] for a multiple choice,
    numbers as numbers, {"item": "code"} for a matrix or ranking."""
    return get_type(question.type).normalise(value)


def error_for(question: Question, raw) -> str | None:
    """The message for one visible question's raw answer, or None."""
    qtype = get_type(question.type)
    if not qtype.takes_answer:
        return None
    if qtype.is_empty(raw):
        return qtype.required_message() if question.required else None
    try:
        return qtype.validate(question, raw)
    except (AttributeError, KeyError, TypeError, ValueError):
        # A raw of the wrong shape (tampered form, bad API payload).
        return _invalid()


def _invalid() -> str:
    from flask_babel import gettext as _

    return _("This answer is not valid. Please answer again.")


def check_page(
    survey: Survey, number: int, stored: dict, page_raws: dict, shown: set[str] | None = None, required: bool = True
) -> PageCheck:
    """Apply ``page_raws`` (answers to page ``number``) over ``stored`` and
    validate the page's visible questions. ``shown``: the codes the resident
    saw on the page; visible questions not among them are ``revealed``."""
    codes = {q.code for q in page_questions(survey, number)}
    raws = {k: v for k, v in stored.items() if k not in codes}
    raws.update({k: v for k, v in page_raws.items() if k in codes})
    pages = visible(survey, raws)
    entry = find(pages, number)
    result = PageCheck(raws=raws, pages=pages, page=entry)
    if entry is not None:
        _check_entry(result, shown, required)
    return result


def _check_entry(result: PageCheck, shown: set[str] | None, required: bool) -> None:
    """The page check proper: fill ``result.errors`` and ``result.revealed``
    for the visible questions of ``result.page`` given ``result.raws``."""
    assert result.page is not None, "a page check is made for a page"
    for question in result.page.questions:
        if shown is not None and question.code not in shown and get_type(question.type).takes_answer:
            result.revealed.append(question.code)
            continue
        message = error_for(question, result.raws.get(question.code))
        if message and (required or message != get_type(question.type).required_message()):
            result.errors[question.code] = message


def first_gap(survey: Survey, raws: dict) -> PageCheck | None:
    """The first visible page whose answers in ``raws`` fail the page check
    (required, ranges, patterns), or None when the whole response passes.

    Completion asks this of the stored answers, because the path a
    resident took (Back, resume links, resends) decides nothing: a page
    saved with Back or never sent is checked like any other."""
    pages = visible(survey, raws)
    for entry in pages:
        result = PageCheck(raws=raws, pages=pages, page=entry)
        _check_entry(result, None, True)
        if result.errors:
            return result
    return None


def stored_raws(survey: Survey, response_id: int) -> dict:
    """Raw answers rebuilt from a response's stored rows."""
    # Plain rows, not Answer objects: from_rows reads only these columns.
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.option_id, Answer.item_id, Answer.value_num, Answer.value_text)
        .where(Answer.response_id == response_id)
        .order_by(Answer.id)
    ).all()
    by_question: dict[int, list[Answer]] = {}
    for row in rows:  # rows with Answer's columns, which is all from_rows reads
        by_question.setdefault(row.question_id, []).append(row)  # type: ignore[arg-type]
    questions = {q.id: q for q in survey.questions}
    raws = {}
    for question_id, answer_rows in by_question.items():
        question = questions.get(question_id)
        if question is not None and question.retired_at is None:
            raws[question.code] = get_type(question.type).from_rows(question, answer_rows)
    return raws
