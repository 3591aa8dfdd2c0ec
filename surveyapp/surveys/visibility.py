"""Which pages and questions a resident sees, given the answers so far.

Logic only points backwards, so one pass in survey order settles every
condition; an answer to a hidden question counts as no answer for the
conditions after it (hiding cascades).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..questions import get_type
from ..questions.base import NO_ANSWER
from . import logic
from .models import Page, Question, Survey


@dataclass
class VisiblePage:
    page: Page
    index: int  # position among all pages, 0-based
    questions: list[Question] = field(default_factory=list)


def active_pages(survey: Survey) -> list[tuple[Page, list[Question]]]:
    """Pages in order with their live (not retired) questions."""
    out = []
    for page in sorted(survey.pages, key=lambda p: p.position):
        questions = [q for q in sorted(page.questions, key=lambda q: q.position) if q.retired_at is None]
        if questions:
            out.append((page, questions))
    return out


def visible(survey: Survey, raws: dict[str, object]) -> list[VisiblePage]:
    """The pages (with their questions) that the answers in ``raws``
    (question code -> raw answer) make visible, in order."""
    shown: dict[str, Question] = {}

    def operands_for(code: str, item: str | None):
        question = shown.get(code)
        if question is None:
            return NO_ANSWER
        return get_type(question.type).operands(question, raws.get(code), item)

    pages = []
    for index, (page, questions) in enumerate(active_pages(survey)):
        if not logic.holds(page.logic, operands_for):
            continue
        entry = VisiblePage(page, index)
        for question in questions:
            if logic.holds(question.logic, operands_for):
                entry.questions.append(question)
                shown[question.code] = question
        if entry.questions:
            pages.append(entry)
    return pages
