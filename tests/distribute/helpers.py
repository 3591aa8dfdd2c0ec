"""Surveys, contact lists and small readers for the distribution tests."""

from __future__ import annotations

import io
import re
from html import unescape

from surveyapp.collect.models import SurveyInvitation
from surveyapp.extensions import db
from surveyapp.responses.models import Response
from tests.collect.helpers import XSS, Resident, clinic_document, make_survey, responses, text  # noqa: F401
from tests.conftest import get_csrf, login  # noqa: F401

LINK_RE = re.compile(r"https?://[^\s,\"']+/i/[A-Za-z0-9_\-]+")


def csv_file(content: str | bytes, name: str = "contacts.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return (io.BytesIO(data), name)


def upload(client, survey_id: int, content: str | bytes):
    token = get_csrf(client, f"/surveys/{survey_id}/invitations")
    return client.post(
        f"/surveys/{survey_id}/invitations/import",
        data={"csrf_token": token, "contacts": csv_file(content)},
        content_type="multipart/form-data",
    )


def post(client, url: str, data: dict | None = None, token_from: str = "/dashboard"):
    return client.post(url, data={"csrf_token": get_csrf(client, token_from), **(data or {})})


def invitations(survey_id: int) -> list[SurveyInvitation]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(SurveyInvitation).where(SurveyInvitation.survey_id == survey_id).order_by(SurveyInvitation.id)
        ).scalars()
    )


def export_links(client, survey_id: int, which: str = "all") -> list[list[str]]:
    import csv

    response = post(
        client,
        f"/surveys/{survey_id}/invitations/export",
        {"which": which},
        token_from=f"/surveys/{survey_id}/invitations",
    )
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def channel_counts(survey_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(Response.channel, db.func.count())
        .where(Response.survey_id == survey_id, Response.status == "complete")
        .group_by(Response.channel)
    ).all()
    return dict(rows)


def unescaped(response) -> str:
    return unescape(response.get_data(as_text=True))
