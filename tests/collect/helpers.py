"""Survey documents and a resident that fills in forms like a browser."""

from __future__ import annotations

import copy
import re
from html import unescape

from surveyapp.extensions import db
from surveyapp.responses import sheets
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.services import create_from_definition

XSS = '"><img src=x onerror=alert(1)>'
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ACTION_RE = re.compile(r'<form method="post" action="([^"]+)"')


def text(en: str, id_: str | None = None) -> dict:
    return {"en": en, "id": id_ or en}


def options(*codes: str) -> list[dict]:
    return [{"code": c, "label": text(c.title())} for c in codes]


def scored(*codes: str) -> list[dict]:
    return [{"code": c, "label": text(c.title()), "value": len(codes) - i} for i, c in enumerate(codes)]


def document(pages: list[list[dict]], **top) -> dict:
    doc = {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": text("Clinic survey", "Survei puskesmas"),
        "welcome_text": text("Welcome, neighbour.", "Selamat datang, tetangga."),
        "thankyou_text": text("Thanks for your voice.", "Terima kasih atas suara Anda."),
        "pages": [qs if isinstance(qs, dict) else {"questions": qs} for qs in pages],
    }
    doc.update(top)
    return doc


# Page 1: uses the clinic (yes/no), and only if yes, how satisfied (same-page logic).
# Page 2 (only if uses=yes): rating and a comment.
# Page 3: age number and e-mail pattern.
def clinic_document(**top) -> dict:
    return document(
        [
            [
                {
                    "code": "uses",
                    "type": "yes_no",
                    "required": True,
                    "title": text("Do you use the clinic?", "Apakah Anda memakai puskesmas?"),
                },
                {
                    "code": "why_not",
                    "type": "short_text",
                    "title": text("Why not?"),
                    "logic": {"question": "uses", "op": "equals", "value": "no"},
                },
            ],
            {
                "logic": {"question": "uses", "op": "equals", "value": "yes"},
                "questions": [
                    {
                        "code": "score",
                        "type": "rating_0_10",
                        "required": True,
                        "title": text("How likely to recommend?"),
                    },
                    {"code": "comment", "type": "long_text", "title": text("Anything else?")},
                ],
            },
            [
                {
                    "code": "age",
                    "type": "number",
                    "required": True,
                    "title": text("Your age"),
                    "settings": {"integer": True, "min": 10, "max": 120},
                },
                {
                    "code": "services",
                    "type": "multiple_choice",
                    "title": text("Which services?"),
                    "options": options("kia", "gigi", "umum"),
                },
            ],
        ],
        **top,
    )


def make_survey(org, doc: dict | None = None, status: str = "open", **fields):
    survey = create_from_definition(org.id, None, copy.deepcopy(doc or clinic_document()))
    survey.status = status
    for key, value in fields.items():
        setattr(survey, key, value)
    db.session.commit()
    return survey


def responses(survey_id: int | None = None) -> list[Response]:
    db.session.expire_all()
    query = db.select(Response).order_by(Response.id)
    if survey_id is not None:
        query = query.where(Response.survey_id == survey_id)
    return list(db.session.execute(query).scalars())


def answer_count(response_id: int | None = None) -> int:
    query = db.select(db.func.count()).select_from(Answer)
    if response_id is not None:
        query = query.where(Answer.response_id == response_id)
    return db.session.execute(query).scalar_one()


def hidden_fields(html: str) -> dict:
    return {name: unescape(value) for name, value in HIDDEN_RE.findall(html)}


class Resident:
    """Reads the form on the current page and sends it, like a browser."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token
        self.page = None

    @property
    def html(self) -> str:
        return self.page.get_data(as_text=True)

    def open(self, url: str | None = None, **kwargs):
        self.page = self.client.get(url or f"/s/{self.token}", **kwargs)
        return self.page

    def fields(self) -> dict:
        return hidden_fields(self.html)

    def action(self) -> str:
        return unescape(ACTION_RE.search(self.html).group(1))

    def send(self, answers: dict | None = None, follow: bool = True, **overrides):
        data = {**self.fields(), "action": "next", **(answers or {}), **overrides}
        data = {k: v for k, v in data.items() if v is not None}
        response = self.client.post(self.action(), data=data)
        if follow and response.status_code == 303:
            self.page = self.client.get(response.headers["Location"])
        else:
            self.page = response
        return response


def sheet_and_answers(response_id: int) -> tuple[list | None, list]:
    """The response's stored answer sheet (None without one) and its answer
    rows, both as sorted (question, option, item, number, text) tuples."""
    db.session.expire_all()
    stored = db.session.execute(db.select(Response.sheet).where(Response.id == response_id)).scalar()
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.option_id, Answer.item_id, Answer.value_num, Answer.value_text).where(
            Answer.response_id == response_id
        )
    ).all()

    def key(entry):
        return tuple("" if v is None else str(v) for v in entry)

    answers = sorted(((q, o, i, sheets.number(n), t) for q, o, i, n, t in rows), key=key)
    if stored is None:
        return None, answers
    entries = [(q, o, i, sheets.number(n), t) for q, o, i, n, t in sheets.decode(stored) if q is not None]
    return sorted(entries, key=key), answers
