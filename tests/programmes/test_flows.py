"""Programme flows through the web: linking, margins, feedback and actions, the
public pages, check-in, erasure, the dashboard and the CSV download."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import date

from surveyapp.extensions import db
from surveyapp.participants import queries as people
from surveyapp.participants.identity import identity_hash, normalise_identity
from surveyapp.participants.models import Participant
from surveyapp.programmes import services
from surveyapp.programmes.metrics import compute_set
from surveyapp.programmes.models import Attendance, FeedbackItem, FollowUpAction, PopulationMargin, ProgrammeSurvey
from surveyapp.programmes.windows import parse_window
from tests.conftest import get_csrf, login, post_form
from tests.programmes.builders import hand_programme, light_programme, survey

XSS = '"><img src=x onerror=alert(1)>'


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, "/dashboard")})


def test_survey_in_two_programmes_is_refused(client, world):
    h = light_programme(world.org)
    other = services.create_programme(
        world.org.id,
        name="Program Lain",
        area=None,
        description=None,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        community_size=None,
    )
    login(client, "editor@mawar.test")
    response = post(client, f"/programmes/{other.id}/surveys", {"survey_id": str(h.wave1.id)})
    assert response.status_code == 409
    assert "already belongs to the programme" in response.get_data(as_text=True)
    assert db.session.get(ProgrammeSurvey, h.wave1.id).programme_id == h.programme.id


def test_survey_of_another_organisation_cannot_be_linked(client, world):
    h = light_programme(world.org)
    foreign = survey(world.other_org, "Asing")
    login(client, "owner@mawar.test")
    response = post(client, f"/programmes/{h.programme.id}/surveys", {"survey_id": str(foreign.id)})
    assert response.status_code in (400, 404)
    assert db.session.get(ProgrammeSurvey, foreign.id) is None


def test_margins_that_disagree_with_the_community_size_warn(client, world):
    h = light_programme(world.org)
    login(client, "editor@mawar.test")
    response = post(
        client,
        f"/programmes/{h.programme.id}/population",
        {"margins": "gender, female, 30\ngender, male, 30\nage_band, 18_29, 100"},
    )
    assert response.status_code == 303
    page = client.get(f"/programmes/{h.programme.id}/settings").get_data(as_text=True)
    assert "Check the figures for gender: they add up to 60 people, but the community size is 100" in page
    assert "age_band" not in page.split("Check the figures")[1].split("</p>")[0]
    assert db.session.execute(db.select(db.func.count()).select_from(PopulationMargin)).scalar_one() == 3


def test_malformed_margins_change_nothing(client, world):
    h = light_programme(world.org)
    services.set_margins(h.programme, {"gender": {"female": 50, "male": 50}})
    login(client, "editor@mawar.test")
    for bad in (
        "gender, female",
        "planet, mars, 3",
        "gender, female, many",
        "gender, female, -4",
        "gender, f, 1\ngender, f, 2",
    ):
        post(client, f"/programmes/{h.programme.id}/population", {"margins": bad})
        db.session.expire_all()
        assert {(m.category, m.population) for m in db.session.execute(db.select(PopulationMargin)).scalars()} == {
            ("female", 50),
            ("male", 50),
        }
    page = client.get(f"/programmes/{h.programme.id}/settings").get_data(as_text=True)
    assert "Line 2: gender / f appears twice." in page


def test_action_on_feedback_of_another_organisation_is_404(client, world):
    light_programme(world.org)  # the owner has a programme too
    theirs = light_programme(world.other_org)
    login(client, "owner@mawar.test")
    response = post(
        client,
        f"/programmes/feedback/{theirs.form_item.id}/actions",
        {"description": "Sneaky", "status": "done", "action_date": "2026-07-30"},
    )
    assert response.status_code == 404
    assert (
        db.session.execute(db.select(FollowUpAction.description).where(FollowUpAction.description == "Sneaky")).first()
        is None
    )


def test_tagging_and_adding_an_action(client, world):
    h = light_programme(world.org)
    login(client, "editor@mawar.test")
    assert (
        post(
            client, f"/programmes/feedback/{h.form_item.id}/tag", {"topic": "forums", "sentiment": "weird"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(FeedbackItem, h.form_item.id).sentiment is None  # refused choice, nothing stored
    post(client, f"/programmes/feedback/{h.form_item.id}/tag", {"topic": "forums", "sentiment": "positive"})
    post(
        client,
        f"/programmes/feedback/{h.form_item.id}/actions",
        {
            "description": "Second forum",
            "status": "in_progress",
            "action_date": "2026-08-01",
            "team": "RW 02",
            "published": "y",
        },
    )
    db.session.expire_all()
    item = db.session.get(FeedbackItem, h.form_item.id)
    assert (item.topic, item.sentiment) == ("forums", "positive")
    assert [a.description for a in item.actions] == ["Monthly forum", "Second forum"]
    bad = post(
        client,
        f"/programmes/feedback/{h.form_item.id}/actions",
        {"description": "", "status": "done", "action_date": "not a date"},
    )
    assert bad.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(FeedbackItem, h.form_item.id).actions) == 2


def test_survey_feedback_is_read_once_with_a_link_back(world):
    h = light_programme(world.org)
    assert services.sync_survey_feedback(h.programme) == 0  # already read when linked
    items = db.session.execute(db.select(FeedbackItem).where(FeedbackItem.source == "survey")).scalars().all()
    assert [i.text for i in items] == ["Lampu mati"] and items[0].answer_id is not None and items[0].auto_positive


def test_you_said_we_did_page(client, world):
    h = light_programme(world.org)
    world.org.privacy_min_cell = 3
    db.session.commit()
    assert client.get(f"/p/{h.programme.public_token}").status_code == 404  # opt-in
    h.programme.public_page_enabled = True
    services.add_action(
        h.programme,
        [h.form_item],
        description="Hidden plan",
        status="planned",
        action_date=date(2026, 8, 1),
        team=None,
        published=False,
    )
    db.session.commit()
    page = client.get(f"/p/{h.programme.public_token}").get_data(as_text=True)
    assert "Monthly forum" in page and "Hidden plan" not in page
    # one feedback item < k = 3: the action is shown, the resident's words are not
    assert "More forums please" not in page and "fewer than 3" in page
    more = [services.add_feedback(h.programme, text=f"{XSS} #{i}", source="form") for i in range(3)]
    services.add_action(
        h.programme, more, description=XSS, status="done", action_date=date(2026, 8, 2), team=XSS, published=True
    )
    page = client.get(f"/p/{h.programme.public_token}").get_data(as_text=True)
    assert XSS not in page and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert client.get("/p/not-a-real-token").status_code == 404


def test_public_feedback_form(client, world, app):
    h = light_programme(world.org)
    url = f"/p/{h.programme.public_token}/feedback"
    assert client.get(url).status_code == 404
    h.programme.feedback_form_enabled = True
    db.session.commit()

    def count():
        return db.session.execute(
            db.select(db.func.count()).select_from(FeedbackItem).where(FeedbackItem.source == "form")
        ).scalar_one()

    before = count()
    assert post_form(client, url, {"text": XSS}).status_code == 303
    assert post_form(client, url, {"text": "spam", "website": "http://spam"}).status_code == 303  # honeypot
    assert post_form(client, url, {"text": "  "}).status_code == 400
    assert post_form(client, url, {"text": "x" * 4001}).status_code == 400
    assert count() == before + 1
    h.programme.public_page_enabled = True
    db.session.commit()
    login(client, "viewer@mawar.test")
    page = client.get(f"/programmes/{h.programme.id}/feedback").get_data(as_text=True)
    assert XSS not in page and "&lt;img src=x" in page
    client.get("/logout")
    statuses = [post_form(client, url, {"text": f"m{i}"}).status_code for i in range(6)]
    assert 429 in statuses


def test_check_in_page(client, world):
    h = light_programme(world.org)
    url = f"/checkin/{h.a1.checkin_token}"
    assert "Forum RW" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"identity": "0812-3456-7890"}).status_code == 303
    assert post_form(client, url, {"identity": "+62 812 3456 7890"}).status_code == 303  # same person
    assert post_form(client, url, {"identity": "not a phone"}).status_code == 400
    assert post_form(client, url, {"identity": "x@y.test", "website": "bot"}).status_code == 303
    rows = (
        db.session.execute(db.select(Attendance).where(Attendance.activity_id == h.a1.id, Attendance.channel == "qr"))
        .scalars()
        .all()
    )
    assert len(rows) == 2  # the light programme's P1 + the new phone once
    person = db.session.execute(
        db.select(Participant).where(
            Participant.identity_hash == identity_hash(world.org.participant_salt, "081234567890")
        )
    ).scalar_one()
    assert person.pseudonym.startswith("P-") and len(person.pseudonym) == 12  # participants/pseudonyms.py
    expected = hmac.new(world.org.participant_salt.encode(), b"6281234567890", hashlib.sha256).hexdigest()
    assert person.identity_hash == expected  # HMAC-SHA256 keyed with the organisation's salt, never the number
    h.a1.checkin_open = False
    db.session.commit()
    assert post_form(client, url, {"identity": "081299998888"}, token_from="/login").status_code == 410
    assert client.get("/checkin/unknown-token").status_code == 404


def test_identity_hash_is_keyed_per_organisation(world):
    assert normalise_identity(" 0812-3456-7890 ") == "6281234567890"
    assert normalise_identity("+6281234567890") == normalise_identity("6281234567890")
    assert normalise_identity("Siti@Example.ORG ") == "siti@example.org"
    assert identity_hash(world.org.participant_salt, "081234567890") != identity_hash(
        world.other_org.participant_salt, "081234567890"
    )


def test_erasure_keeps_the_figures_and_removes_the_link(client, world):
    h = hand_programme(world.org)
    services.check_in(h.a2, "siti@example.org")
    person = people.find(world.org, "siti@example.org")
    before = compute_set(h.programme, parse_window("2026-07"), trend=0)
    login(client, "owner@mawar.test")
    export = client.get(f"/programmes/participants/{person.id}/export.json")
    assert export.status_code == 200 and json.loads(export.data)["check_ins"][0]["activity"] == "Kerja bakti"
    p1_export = json.loads(client.get(f"/programmes/participants/{h.p1.id}/export.json").data)
    assert (
        len(p1_export["responses"]) == 2
        and {"question": "overall", "option": "5", "value": 5.0, "text": None} in p1_export["responses"][1]["answers"]
    )
    found = post(client, "/programmes/participants", {"identity": "SITI@example.org"})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/programmes/participants/{person.id}")
    assert post(client, f"/programmes/participants/{person.id}/erase", {}).status_code == 303
    db.session.expire_all()
    person = db.session.get(Participant, person.id)
    assert person.identity_hash is None and person.erased_at is not None
    assert db.session.execute(db.select(Attendance).where(Attendance.participant_id == person.id)).first() is None
    after = compute_set(h.programme, parse_window("2026-07"), trend=0)
    m_before = {m["code"]: m for m in before["metrics"]}
    m_after = {m["code"]: m for m in after["metrics"]}
    assert m_after["M1"]["value"] == m_before["M1"]["value"]  # the row stays, now anonymous
    assert m_after["M1"]["details"]["identified"] == m_before["M1"]["details"]["identified"] - 1
    # the phone/e-mail no longer leads anywhere
    missing = post(client, "/programmes/participants", {"identity": "siti@example.org"})
    assert missing.status_code == 404 and "No participant is known" in missing.get_data(as_text=True)


def test_erasure_request_for_unknown_participant(client, world):
    light_programme(world.org)
    login(client, "owner@mawar.test")
    response = post(client, "/programmes/participants", {"identity": "081200000000"})
    assert response.status_code == 404 and "Nothing was changed" in response.get_data(as_text=True)
    assert post(client, "/programmes/participants", {"identity": "<script>"}).status_code == 400


def test_dashboard_shows_every_metric_and_flags(client, world):
    h = hand_programme(world.org)
    h.wave2.status = "open"
    h.programme.name = XSS
    services.add_story(h.programme, title=XSS, body=XSS, told_on=date(2026, 7, 22))
    db.session.commit()
    login(client, "viewer@mawar.test")
    page = client.get(f"/programmes/{h.programme.id}?window=2026-07", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    for code in [f"M{i}" for i in range(1, 13)] + [f"E{i}" for i in range(1, 6)]:
        assert f'id="metric-{code}"' in page
    assert "female (gender) are under-represented" in page and "0.71" in page
    assert "data:image/svg+xml;base64," in page and "<table" in page
    assert XSS not in page
    assert client.get(f"/programmes/{h.programme.id}?window=2025-01").status_code == 200


def test_dashboard_rejects_malformed_window(client, world):
    h = light_programme(world.org)
    login(client, "viewer@mawar.test")
    response = client.get(f"/programmes/{h.programme.id}?window=2026-Q9%22%3E%3Cscript%3E")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "is not a time window" in body and "<script>" not in body


def test_csv_is_formula_safe_and_suppresses_small_groups(client, world):
    h = hand_programme(world.org)
    services.set_margins(h.programme, {"gender": {"female": 70, "male": 30}, "neighbourhood": {"=HYPERLINK(1)": 100}})
    login(client, "viewer@mawar.test")
    response = client.get(f"/programmes/{h.programme.id}/metrics.csv?window=2026-07")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["metric", "name", "window"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[4] == "'=HYPERLINK(1)" for row in rows)
    female_m1 = next(r for r in rows if r[0] == "M1" and r[4] == "female")
    assert female_m1[5] == "" and "suppressed" in female_m1[9]  # 2 people < k = 5
    m1 = next(r for r in rows if r[0] == "M1" and r[3] == "")
    assert m1[5] == "13"
