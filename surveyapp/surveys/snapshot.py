"""A read-only copy of a survey's structure (survey, pages, questions,
options) for the answering path, built from four plain queries.

A snapshot is shared by every thread of a process (see structure_cache.py),
so nothing in it can change after it is built: the objects refuse attribute
assignment and every JSON value (texts, settings, logic) is a FrozenDict or
FrozenList, which behave as dict and list for reading (isinstance, .get,
iteration, json) but raise on any write. ``dict(x)`` or ``copy.deepcopy(x)``
give a private mutable copy.

The classes answer the same attribute names and methods as the models
(``survey.questions``, ``question.options``, ``option.text(lang)`` ...), so
question types, visibility, validation and the templates take either.
"""

from __future__ import annotations

import copy

from sqlalchemy import select

from .models import Option, Page, Question, Survey, pick_language


class FrozenDict(dict):
    """A dict that refuses writes."""

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("a survey snapshot is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __deepcopy__(self, memo):
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}

    def __copy__(self):
        return dict(self)

    def __reduce__(self):
        return dict, (dict(self),)


class FrozenList(list):
    """A list that refuses writes."""

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("a survey snapshot is read-only")

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse

    def __deepcopy__(self, memo):
        return [copy.deepcopy(value, memo) for value in self]

    def __copy__(self):
        return list(self)

    def __reduce__(self):
        return list, (list(self),)


def freeze(value):
    """A deep read-only copy of a JSON value."""
    if isinstance(value, dict):
        return FrozenDict((key, freeze(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return FrozenList(freeze(item) for item in value)
    return value


_EMPTY = FrozenDict()


class _Frozen:
    """Attributes are set once in ``__init__`` and never again."""

    __slots__ = ()

    def _set(self, **values) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a survey snapshot is read-only ({type(self).__name__}.{name})")

    def __delattr__(self, name):
        raise AttributeError(f"a survey snapshot is read-only ({type(self).__name__}.{name})")


class OptionSnapshot(_Frozen):
    __slots__ = (
        "id",
        "question_id",
        "kind",
        "code",
        "position",
        "label",
        "value",
        "is_other",
        "retired_at",
        "_default_language",
        "question",
    )

    def __init__(self, row, default_language: str):
        self._set(
            id=row.id,
            question_id=row.question_id,
            kind=row.kind,
            code=row.code,
            position=row.position,
            label=freeze(row.label or {}),
            value=row.value,
            is_other=bool(row.is_other),
            retired_at=row.retired_at,
            _default_language=default_language,
        )

    def text(self, lang: str) -> str:
        return pick_language(self.label, lang, self._default_language)


class QuestionSnapshot(_Frozen):
    __slots__ = (
        "id",
        "survey_id",
        "page_id",
        "position",
        "code",
        "type",
        "required",
        "title",
        "help_text",
        "settings",
        "metric_role",
        "logic",
        "retired_at",
        "options",
        "_default_language",
        "survey",
        "page",
    )

    def __init__(self, row, options: list[OptionSnapshot], default_language: str):
        self._set(
            id=row.id,
            survey_id=row.survey_id,
            page_id=row.page_id,
            position=row.position,
            code=row.code,
            type=row.type,
            required=bool(row.required),
            title=freeze(row.title or {}),
            help_text=freeze(row.help_text or {}),
            settings=freeze(row.settings or {}),
            metric_role=row.metric_role,
            logic=freeze(row.logic),
            retired_at=row.retired_at,
            options=tuple(options),
            _default_language=default_language,
        )

    def text(self, field: str, lang: str) -> str:
        return pick_language(getattr(self, field), lang, self._default_language)


class PageSnapshot(_Frozen):
    __slots__ = ("id", "survey_id", "position", "title", "logic", "questions", "survey")

    def __init__(self, row, questions: list[QuestionSnapshot]):
        self._set(
            id=row.id,
            survey_id=row.survey_id,
            position=row.position,
            title=freeze(row.title or {}),
            logic=freeze(row.logic),
            questions=tuple(questions),
        )


SURVEY_FIELDS = (
    "id",
    "organisation_id",
    "kind",
    "status",
    "languages",
    "default_language",
    "title",
    "description",
    "welcome_text",
    "thankyou_text",
    "public_token",
    "anonymous",
    "opens_at",
    "closes_at",
    "response_cap",
    "settings",
    "is_template",
    "archived_at",
    "created_at",
    "updated_at",
)


class SurveySnapshot(_Frozen):
    __slots__ = SURVEY_FIELDS + ("pages", "questions")

    def __init__(self, row, pages: list[PageSnapshot], questions: list[QuestionSnapshot]):
        values = {name: getattr(row, name) for name in SURVEY_FIELDS}
        for name in ("languages", "title", "description", "welcome_text", "thankyou_text", "settings"):
            values[name] = freeze(values[name] if values[name] is not None else ([] if name == "languages" else {}))
        values["anonymous"] = bool(values["anonymous"])
        values["is_template"] = bool(values["is_template"])
        self._set(**values, pages=tuple(pages), questions=tuple(questions))

    def text(self, field: str, lang: str) -> str:
        return pick_language(getattr(self, field), lang, self.default_language)

    def setting(self, key: str, default=None):
        return self.settings.get(key, default)


def _columns(model) -> list:
    return [column for column in model.__table__.columns]


def load(connection, survey_id: int) -> SurveySnapshot | None:
    """Read survey ``survey_id`` and its structure with ``connection`` (a
    Core connection) and build its snapshot; None if it does not exist."""
    survey = connection.execute(select(*_columns(Survey)).where(Survey.id == survey_id)).first()
    if survey is None:
        return None
    default_language = survey.default_language
    page_rows = connection.execute(
        select(*_columns(Page)).where(Page.survey_id == survey_id).order_by(Page.position, Page.id)
    ).all()
    question_rows = connection.execute(
        select(*_columns(Question)).where(Question.survey_id == survey_id).order_by(Question.position, Question.id)
    ).all()
    option_rows = connection.execute(
        select(*_columns(Option))
        .join(Question, Question.id == Option.question_id)
        .where(Question.survey_id == survey_id)
        .order_by(Option.position, Option.id)
    ).all()
    options: dict[int, list[OptionSnapshot]] = {}
    for row in option_rows:
        options.setdefault(row.question_id, []).append(OptionSnapshot(row, default_language))
    questions = [QuestionSnapshot(row, options.get(row.id, []), default_language) for row in question_rows]
    by_page: dict[int, list[QuestionSnapshot]] = {}
    for question in questions:
        if question.page_id is not None:
            by_page.setdefault(question.page_id, []).append(question)
    pages = [PageSnapshot(row, by_page.get(row.id, [])) for row in page_rows]
    result = SurveySnapshot(survey, pages, questions)
    # Back-references, as the models have them (question.survey ...), set
    # once here before the snapshot is shared.
    page_by_id = {page.id: page for page in pages}
    for page in pages:
        object.__setattr__(page, "survey", result)
    for question in questions:
        object.__setattr__(question, "survey", result)
        object.__setattr__(question, "page", page_by_id.get(question.page_id))
        for option in question.options:
            object.__setattr__(option, "question", question)
    return result


def is_snapshot(value) -> bool:
    return isinstance(value, SurveySnapshot)


__all__ = [
    "FrozenDict",
    "FrozenList",
    "OptionSnapshot",
    "PageSnapshot",
    "QuestionSnapshot",
    "SurveySnapshot",
    "freeze",
    "is_snapshot",
    "load",
]
