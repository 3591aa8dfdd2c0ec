"""Surveys for results tests (their responses: tests.factories.respond)."""

from __future__ import annotations

import itertools
import uuid

from surveyapp.extensions import db
from surveyapp.participants.models import Participant
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
