"""Surveys and responses for results tests, inserted directly with the models."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta

from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.services import create_from_definition


def _t(text: str) -> dict:
    return {"id": text, "en": text}


def _opts(*codes, values=None, other=None):
    return [
        {
            "code": c,
            "label": _t(f"Option {c}"),
            **({"value": values[k]} if values else {}),
            **({"is_other": True} if c == other else {}),
        }
        for k, c in enumerate(codes)
    ]


LIKERT = _opts("1", "2", "3", "4", "5", values=[1, 2, 3, 4, 5])

QUESTIONS = [
    {
        "code": "gender",
        "type": "single_choice",
        "title": _t("Gender"),
        "metric_role": "demographic:gender",
        "options": _opts("f", "m"),
    },
    {
        "code": "rw",
        "type": "single_choice",
        "title": _t("RW"),
        "metric_role": "demographic:rw",
        "options": _opts("rw1", "rw2", "rw3"),
    },
    {
        "code": "services",
        "type": "multiple_choice",
        "title": _t("Services used"),
        "options": _opts("clinic", "school", "market", "other", other="other"),
    },
    {
        "code": "overall",
        "type": "likert",
        "title": _t("Overall satisfaction"),
        "metric_role": "satisfaction",
        "settings": {"points": 5},
        "options": LIKERT,
    },
    {
        "code": "aspects",
        "type": "matrix",
        "title": _t("Aspects"),
        "options": LIKERT,
        "items": [{"code": "speed", "label": _t("Speed")}, {"code": "staff", "label": _t("Staff")}],
    },
    {"code": "recommend", "type": "rating_0_10", "title": _t("Recommend"), "metric_role": "recommend"},
    {"code": "trust_police", "type": "rating_0_10", "title": _t("Trust police"), "metric_role": "trust:police"},
    {"code": "stars", "type": "stars", "title": _t("Stars")},
    {"code": "priorities", "type": "ranking", "title": _t("Priorities"), "options": _opts("roads", "water", "light")},
    {"code": "age", "type": "number", "title": _t("Age"), "settings": {"integer": True}},
    {"code": "visit", "type": "date", "title": _t("Visit date")},
    {"code": "comment", "type": "long_text", "title": _t("Comment")},
    {"code": "info", "type": "note", "title": _t("Thanks")},
    {"code": "used", "type": "yes_no", "title": _t("Used the clinic")},
]


def definition(title: str = "Survei warga", questions=None, settings=None) -> dict:
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": _t(title),
        "settings": settings or {},
        "pages": [{"questions": questions or QUESTIONS}],
    }


def survey(org, title: str = "Survei warga", questions=None, **settings):
    return create_from_definition(org.id, None, definition(title, questions, settings))


_counter = itertools.count()


def participant(org) -> Participant:
    p = Participant(organisation_id=org.id, identity_hash=uuid.uuid4().hex, pseudonym=f"P{next(_counter)}")
    db.session.add(p)
    db.session.flush()
    return p


def respond(
    survey,
    answers: dict,
    *,
    status: str = "complete",
    channel: str = "link",
    language: str = "id",
    when: datetime | None = None,
    duration: int | None = None,
    participant_id: int | None = None,
    commit: bool = True,
) -> Response:
    """One response with ``answers`` {question code: value} in the shapes
    residents give them (see ``_rows``)."""
    when = when or datetime(2026, 3, 2, 3, 0)
    response = Response(
        survey_id=survey.id,
        submission_id=uuid.uuid4().hex,
        status=status,
        channel=channel,
        language=language,
        started_at=when - timedelta(seconds=duration or 60),
        submitted_at=when if status == "complete" else None,
        duration_seconds=duration,
        participant_id=participant_id,
    )
    db.session.add(response)
    db.session.flush()
    questions = {q.code: q for q in survey.questions}
    for code, value in answers.items():
        for row in _rows(questions[code], value):
            db.session.add(Answer(response_id=response.id, question_id=questions[code].id, **row))
    if commit:
        db.session.commit()
    return response


def _rows(question, value) -> list[dict]:
    options = {o.code: o for o in question.options if o.kind == "choice"}
    items = {o.code: o for o in question.options if o.kind == "item"}
    kind = question.type
    if kind in ("single_choice", "yes_no", "likert"):
        code, other = (value, None) if isinstance(value, str) else value
        return [{"option_id": options[code].id, "value_num": options[code].value, "value_text": other}]
    if kind == "multiple_choice":
        codes, other = (value, None) if isinstance(value, list) else value
        return [
            {"option_id": options[c].id, "value_num": 1, "value_text": other if options[c].is_other else None}
            for c in codes
        ]
    if kind == "matrix":
        return [
            {"item_id": items[i].id, "option_id": options[c].id, "value_num": options[c].value}
            for i, c in value.items()
        ]
    if kind == "ranking":
        return [{"option_id": options[c].id, "value_num": r} for c, r in value.items()]
    if kind in ("rating_0_10", "stars", "number"):
        return [{"value_num": value}]
    if kind == "date":
        return [{"value_text": value, "value_num": (date.fromisoformat(value) - date(1970, 1, 1)).days}]
    return [{"value_text": value}]
