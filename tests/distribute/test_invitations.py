"""Personal invitations: import, participants, links, one response each."""

from __future__ import annotations

import pytest

from surveyapp.collect.models import SurveyInvitation
from surveyapp.distribute import invitations as service
from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.responses.models import Response
from tests.distribute.helpers import (
    XSS,
    Resident,
    export_links,
    invitations,
    login,
    make_survey,
    path_of,
    post,
    responses,
    upload,
)

CONTACTS = "name,email,phone,rw\nSiti Aminah,siti@example.org,,01\nBudi,,0812 3456 7890,02\nDewi,dewi@example.org,0813 1111 2222,01\n"


@pytest.fixture
def sent_mail(monkeypatch):
    box = []
    monkeypatch.setattr(
        "surveyapp.distribute.invitations.send_mail", lambda to, subject, body: box.append((to, subject, body))
    )
    return box


def imported(client, world, content=CONTACTS, **survey_fields):
    survey = make_survey(world.org, **survey_fields)
    login(client, "editor@mawar.test")
    response = upload(client, survey.id, content)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return survey


def answer_all(client, link_path: str) -> Resident:
    resident = Resident(client, None)
    resident.open(link_path)
    assert resident.page.status_code == 200, resident.page.status_code
    resident.send({"q-uses": "yes"})
    resident.send({"q-score": "8"})
    sent = resident.send({"q-age": "35"})
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    return resident


def test_import_creates_invitations_and_pseudonymous_participants(client, world):
    survey = imported(client, world)
    rows = invitations(survey.id)
    assert [(r.name, r.email, r.phone, r.segments) for r in rows] == [
        ("Siti Aminah", "siti@example.org", None, {"rw": "01"}),
        ("Budi", None, "6281234567890", {"rw": "02"}),
        ("Dewi", "dewi@example.org", "6281311112222", {"rw": "01"}),
    ]
    people = db.session.execute(db.select(Participant).order_by(Participant.id)).scalars().all()
    assert len(people) == 3 and all(p.organisation_id == world.org.id for p in people)
    assert all(p.pseudonym.startswith("P-") and len(p.pseudonym) == 12 for p in people)
    # Only hashes: no e-mail address or phone number in the participants table.
    assert all("@" not in p.identity_hash and "0812" not in p.identity_hash for p in people)
    assert all(len(r.token_hash) == 64 for r in rows)
    page = client.get(f"/surveys/{survey.id}/invitations").get_data(as_text=True)
    assert "Siti Aminah" in page and people[0].pseudonym in page


def test_one_participant_per_person_across_surveys(client, world):
    first = imported(client, world)
    second = make_survey(world.org)
    # Same people, found again by e-mail (Siti, Dewi) or, without one, by phone (Budi).
    assert (
        upload(
            client,
            second.id,
            "name,email,phone\nSiti,SITI@example.org,\nDewi,dewi@example.org,\n"
            "Budi,,+62 812-3456-7890\nNew,new@example.org,\n",
        ).status_code
        == 303
    )
    by_name = {r.name: r.participant_id for r in invitations(first.id)}
    again = {r.name: r.participant_id for r in invitations(second.id)}
    assert again["Siti"] == by_name["Siti Aminah"] and again["Dewi"] == by_name["Dewi"]
    assert again["Budi"] == by_name["Budi"]
    assert again["New"] not in by_name.values()
    assert db.session.execute(db.select(db.func.count()).select_from(Participant)).scalar_one() == 4
    # Another organisation with the same person gets its own participant (own salt).
    other_survey = make_survey(world.other_org)
    service.import_contacts(
        other_survey,
        world.other_org,
        __import__("surveyapp.distribute.contacts", fromlist=["parse"]).parse(b"email\nsiti@example.org\n"),
    )
    other = db.session.execute(
        db.select(Participant).where(Participant.organisation_id == world.other_org.id)
    ).scalar_one()
    mine = db.session.get(Participant, by_name["Siti Aminah"])
    assert other.identity_hash != mine.identity_hash


def test_reimporting_skips_people_already_invited(client, world):
    survey = imported(client, world)
    response = upload(client, survey.id, "email\nsiti@example.org\nsiti@example.org\nbaru@example.org\n")
    assert response.status_code == 303
    assert len(invitations(survey.id)) == 4
    page = client.get(f"/surveys/{survey.id}/invitations").get_data(as_text=True)
    assert "were already invited" in page


@pytest.mark.parametrize(
    "content,needle,status",
    [
        ("name,email\nA,a@example.org\nB,\n", "Line 3:", 422),
        ("name,email\nA,a@example.org\nB,bukan-email\n", "bukan-email", 422),
        ("email\n" + "".join(f"p{i}@example.org\n" for i in range(5001)), "5", 422),
        ("name,email\nJosé,jose@example.org\n".encode("latin-1"), "UTF-8", 422),
        ("nama,rw\nSiti,01\n", "Line 1:", 422),
    ],
)
def test_bad_lists_import_nothing(client, world, content, needle, status):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    response = upload(client, survey.id, content)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and needle in html
    assert invitations(survey.id) == []
    assert db.session.execute(db.select(db.func.count()).select_from(Participant)).scalar_one() == 0


def test_missing_file_and_oversized_body(client, world, app):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    token = __import__("tests.conftest", fromlist=["get_csrf"]).get_csrf(client, f"/surveys/{survey.id}/invitations")
    response = client.post(
        f"/surveys/{survey.id}/invitations/import", data={"csrf_token": token}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Choose a CSV file" in response.get_data(as_text=True)
    big = "email\n" + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    assert upload(client, survey.id, big).status_code == 413
    assert invitations(survey.id) == []


@pytest.mark.parametrize("page", ["-1", "abc", "99", str(10**30)])
def test_a_page_past_either_end_shows_the_nearest_page(client, world, page):
    survey = imported(client, world)
    response = client.get(f"/surveys/{survey.id}/invitations?page={page}")
    assert response.status_code == 200
    assert "Siti Aminah" in response.get_data(as_text=True)


def test_names_are_escaped(client, world):
    survey = imported(client, world, content=f'name,email\n"{XSS.replace(chr(34), chr(34) * 2)}",x@example.org\n')
    html = client.get(f"/surveys/{survey.id}/invitations").get_data(as_text=True)
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_send_remind_and_export(client, world, sent_mail):
    survey = imported(client, world)
    url = f"/surveys/{survey.id}/invitations"
    assert post(client, url + "/send", token_from=url).status_code == 303
    # E-mail goes to the two contacts with an address, in the survey's language (Indonesian).
    assert sorted(to for to, _s, _b in sent_mail) == ["dewi@example.org", "siti@example.org"]
    links = {to: service_link(body) for to, _s, body in sent_mail}
    assert all(link for link in links.values())
    # Written for the survey's default language (Indonesian title).
    assert "Survei puskesmas" in sent_mail[0][1] and "Survei puskesmas" in sent_mail[0][2]
    rows = invitations(survey.id)
    assert [r.sent_at is not None for r in rows] == [True, False, True]
    # Sending again sends nothing new.
    post(client, url + "/send", token_from=url)
    assert len(sent_mail) == 2
    # Siti answers; the reminder goes only to Dewi, with the same link as before.
    answer_all(client, path_of(links["siti@example.org"]))
    post(client, url + "/remind", token_from=url)
    assert [to for to, _s, _b in sent_mail[2:]] == ["dewi@example.org"]
    assert service_link(sent_mail[2][2]) == links["dewi@example.org"]
    dewi = invitations(survey.id)[2]
    assert (dewi.reminder_count, dewi.last_reminded_at is not None) == (1, True)
    # Export: all three links; the phone-only contact is now counted as sent.
    table = export_links(client, survey.id)
    assert table[0] == ["nama", "kontak", "tautan"] or table[0] == ["name", "contact", "link"]
    # The phone number first (for WhatsApp), else the e-mail address.
    assert [row[1] for row in table[1:]] == ["siti@example.org", "6281234567890", "6281311112222"]
    assert table[1][2] == links["siti@example.org"]
    assert invitations(survey.id)[1].sent_at is not None
    pending = export_links(client, survey.id, "pending")
    assert [row[0] for row in pending[1:]] == ["Budi", "Dewi"]
    assert invitations(survey.id)[2].reminder_count == 2


def service_link(body: str) -> str | None:
    from tests.distribute.helpers import LINK_RE

    found = LINK_RE.search(body)
    return found.group(0) if found else None


def test_export_neutralises_formulas(client, world):
    survey = imported(client, world, content='name,email\n=HYPERLINK("x"),a@example.org\n')
    table = export_links(client, survey.id)
    assert table[1][0].startswith("'=")


def test_invitation_link_answers_once_with_participant(client, world):
    survey = imported(client, world)
    [first, *_] = export_links(client, survey.id)[1:]
    link = path_of(first[2])
    client.get("/logout")
    resident = answer_all(client, link)
    assert "Terima kasih" in resident.html or "Thanks" in resident.html
    [response] = responses(survey.id)
    invitation = invitations(survey.id)[0]
    assert response.status == "complete" and response.channel == "invitation"
    assert response.invitation_id == invitation.id and response.participant_id == invitation.participant_id
    assert invitation.opened_at and invitation.started_at and invitation.completed_at
    assert invitation.response_id == response.id
    # The same link again: a friendly "already answered", nothing new stored.
    again = client.get(link)
    assert again.status_code == 410
    assert client.post(link, data={"q-uses": "no"}).status_code == 410
    assert len(responses(survey.id)) == 1
    counts = service.counts(survey.id)
    assert (counts["invited"], counts["opened"], counts["started"], counts["completed"]) == (3, 1, 1, 1)


def test_second_device_continues_the_same_response(client, app, world):
    survey = imported(client, world)
    link = path_of(export_links(client, survey.id)[1][2])
    phone = Resident(app.test_client(), None)
    phone.open(link)
    phone.send({"q-uses": "yes"})
    laptop = app.test_client()
    opened = laptop.get(link)
    assert opened.status_code == 303 and "/r/" in opened.headers["Location"]
    assert len(responses(survey.id)) == 1


def test_anonymous_survey_keeps_no_link_between_answers_and_contact(client, world):
    survey = imported(client, world, anonymous=True)
    link = path_of(export_links(client, survey.id)[1][2])
    answer_all(client, link)
    [response] = responses(survey.id)
    assert response.status == "complete" and response.channel == "invitation"
    assert response.invitation_id is None and response.participant_id is None
    assert response.ip_hash is None and response.browser_hash is None
    invitation = invitations(survey.id)[0]
    assert invitation.completed_at is not None and invitation.response_id is None
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("token", ["nope", "A" * 32, "x" * 80])
def test_forged_invitation_tokens(client, world, token):
    make_survey(world.org)
    response = client.get(f"/i/{token}")
    assert response.status_code == 404
    assert client.post(f"/i/{token}", data={"q-uses": "yes"}).status_code == 404
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 0


def test_invitation_of_a_closed_survey(client, world):
    survey = imported(client, world)
    link = path_of(export_links(client, survey.id)[1][2])
    survey = db.session.get(type(survey), survey.id)
    survey.status = "closed"
    db.session.commit()
    assert client.get(link).status_code == 410
    assert responses(survey.id) == []


def test_links_are_derived_not_stored(ctx, world):
    from surveyapp.distribute import contacts
    from tests.collect.helpers import make_survey as make

    survey = make(world.org)
    service.import_contacts(survey, world.org, contacts.parse(b"email\na@example.org\n"))
    [invitation] = db.session.execute(db.select(SurveyInvitation)).scalars().all()
    token = service.link_token(invitation)
    assert token not in invitation.token_hash and service.find_by_token(token).id == invitation.id
    assert service.find_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
