"""Every response records its channel; the kiosk; tampered channels."""

from __future__ import annotations

import pytest

from surveyapp.distribute import kiosk
from surveyapp.extensions import db
from surveyapp.responses.models import Response
from tests.distribute.helpers import (
    Resident,
    channel_counts,
    export_links,
    get_csrf,
    login,
    make_survey,
    path_of,
    responses,
    upload,
)


def complete(client, start_url: str, token: str | None = None) -> Resident:
    resident = Resident(client, token)
    resident.open(start_url)
    assert resident.page.status_code == 200, (start_url, resident.page.status_code)
    resident.send({"q-uses": "no"})
    resident.send({"q-uses": "no", "q-why_not": "jauh"})  # "no" revealed a question on the same page
    sent = resident.send({"q-age": "44"})
    assert sent.status_code == 303 and "thanks" in sent.headers["Location"], sent.status_code
    return resident


def test_each_channel_is_recorded(app, client, world):
    survey = make_survey(world.org)
    token = survey.public_token
    complete(app.test_client(), f"/s/{token}")
    complete(app.test_client(), f"/s/{token}?src=qr")
    complete(app.test_client(), f"/s/{token}/embed")
    complete(app.test_client(), f"/k/{kiosk.token_for(survey)}")
    login(client, "editor@mawar.test")
    assert upload(client, survey.id, "email\nwarga@example.org\n").status_code == 303
    link = path_of(export_links(client, survey.id)[1][2])
    complete(app.test_client(), link)
    url = f"/surveys/{survey.id}/paper/entry"
    import uuid

    sent = client.post(
        url,
        data={"csrf_token": get_csrf(client, url), "submission_id": str(uuid.uuid4()), "q-uses": "no", "q-age": "61"},
    )
    assert sent.status_code == 303
    assert channel_counts(survey.id) == {"link": 1, "qr": 1, "embed": 1, "kiosk": 1, "invitation": 1, "paper": 1}


@pytest.mark.parametrize(
    "query", ["?src=paper", "?src=kiosk", "?src=invitation", "?src=%3Cscript%3E", "?src=QR", "?channel=paper"]
)
def test_tampered_src_falls_back_to_link(app, world, query):
    survey = make_survey(world.org)
    complete(app.test_client(), f"/s/{survey.public_token}{query}")
    assert channel_counts(survey.id) == {"link": 1}


@pytest.mark.parametrize("forged", ["paper", "kiosk", "invitation", "api", "x" * 40])
def test_tampered_channel_field_is_ignored(app, world, forged):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"}, channel=forged)
    resident.send({"q-score": "9"}, channel=forged)
    resident.send({"q-age": "30"}, channel=forged)
    assert channel_counts(survey.id) == {"link": 1}


def test_kiosk_returns_to_start_and_keeps_nothing_between_residents(app, world):
    survey = make_survey(world.org)
    tablet = app.test_client()
    start = f"/k/{kiosk.token_for(survey)}"
    first = complete(tablet, start)
    html = first.html
    assert '<meta http-equiv="refresh"' in html and start in html
    assert "resume-link" not in html
    # No cookie that ties the first resident to the next one, and no session resume.
    assert tablet.get_cookie("suara_b") is None and tablet.get_cookie("suara_done") is None
    again = Resident(tablet, None)
    again.open(start)
    assert again.page.status_code == 200 and 'name="resume" value=""' in again.html
    assert "resume-link" not in again.html and 'value="44"' not in again.html
    complete(tablet, start)
    rows = responses(survey.id)
    assert [r.channel for r in rows] == ["kiosk", "kiosk"] and not any(r.flagged for r in rows)
    assert rows[0].submission_id != rows[1].submission_id


def test_kiosk_pages_in_the_middle_show_no_resume_link(app, world):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), None)
    resident.open(f"/k/{kiosk.token_for(survey)}")
    resident.send({"q-uses": "yes"})
    assert "Page 2" in resident.html or "Halaman 2" in resident.html
    assert "resume-link" not in resident.html


@pytest.mark.parametrize("bad", ["{public}", "{public}.AAAAAAAAAAAAAAAA", "{public}.short", "nothing-here", "{other}"])
def test_bad_kiosk_tokens(client, world, bad):
    survey = make_survey(world.org)
    foreign = make_survey(world.other_org)
    # A kiosk token of another organisation's survey with this survey's public token.
    mixed = f"{survey.public_token}.{kiosk.key_for(foreign)}"
    token = bad.format(public=survey.public_token, other=mixed)
    assert client.get(f"/k/{token}").status_code == 404
    assert client.post(f"/k/{token}", data={"q-uses": "no"}).status_code == 404
    assert responses() == []


def test_kiosk_of_a_draft_survey(client, world):
    survey = make_survey(world.org, status="draft")
    assert client.get(f"/k/{kiosk.token_for(survey)}").status_code == 404


def test_kiosk_link_stops_when_the_public_link_changes(client, world):
    survey = make_survey(world.org)
    old = kiosk.token_for(survey)
    survey.public_token = "NEWTOKEN1234"
    db.session.commit()
    assert client.get(f"/k/{old}").status_code == 404
    assert client.get(f"/k/{kiosk.token_for(survey)}").status_code == 200


def test_kiosk_response_counts_as_one_even_when_sent_twice(app, world):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), None)
    resident.open(f"/k/{kiosk.token_for(survey)}")
    fields = resident.fields()
    action = resident.action()
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "6"})
    page_three = resident.fields()
    resident.send({"q-age": "33"})
    # The last page sent again (a retry): still one complete response.
    again = resident.client.post(action, data={**page_three, "q-age": "33", "action": "next"})
    assert again.status_code == 303
    assert len(responses(survey.id)) == 1 and fields["submission_id"] == page_three["submission_id"]
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 1
