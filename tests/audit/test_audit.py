"""The audit log: each audited action writes exactly one event with its actor
and subject, in the action's own transaction; a refused action writes none;
the page is for owners of the organisation only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from surveyapp import audit
from surveyapp.api import tokens
from surveyapp.api.models import ApiToken
from surveyapp.audit import Action, AuditEvent
from surveyapp.extensions import db
from surveyapp.orgs.models import Invitation, Membership
from surveyapp.participants import services as people
from surveyapp.participants.models import Participant
from surveyapp.surveys import services as survey_services
from surveyapp.surveys.models import Survey
from surveyapp.webhooks.models import Webhook
from tests import factories
from tests.conftest import get_csrf, login
from tests.exports import data


def post(client, url, form=None, **kwargs):
    return client.post(url, data={**(form or {}), "csrf_token": get_csrf(client, "/dashboard")}, **kwargs)


def events(organisation_id=None):
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    db.session.expire_all()
    return db.session.execute(query).scalars().all()


def only_event(action, user, subject_type, subject_id):
    """Exactly one event was written, and it is this one."""
    written = events()
    assert [(e.action, e.user_id, e.subject_type, e.subject_id) for e in written] == [
        (action.value, user.id if user else None, subject_type, subject_id)
    ]
    return written[0]


def membership_of(user, org):
    return db.session.execute(db.select(Membership).filter_by(user_id=user.id, organisation_id=org.id)).scalar_one()


@pytest.fixture
def survey(world):
    return data.survey(world.org)


# ---- surveys ---------------------------------------------------------------------


def test_publish_close_reopen_archive_restore_delete_each_write_one_event(client, world, survey):
    login(client, "editor@mawar.test")
    steps = [
        (f"/surveys/{survey.id}/publish", {}, Action.SURVEY_PUBLISHED),
        (f"/surveys/{survey.id}/close", {}, Action.SURVEY_CLOSED),
        (f"/surveys/{survey.id}/publish", {}, Action.SURVEY_REOPENED),
        (f"/surveys/{survey.id}/archive", {"archived": "1"}, Action.SURVEY_ARCHIVED),
        (f"/surveys/{survey.id}/archive", {"archived": "0"}, Action.SURVEY_RESTORED),
        (f"/surveys/{survey.id}/delete", {}, Action.SURVEY_DELETED),
    ]
    for count, (url, form, action) in enumerate(steps, start=1):
        assert post(client, url, form).status_code in (302, 303), url
        written = events()
        assert len(written) == count
        last = written[-1]
        assert (last.action, last.user_id, last.subject_type, last.subject_id) == (
            action.value,
            world.editor.id,
            "surveys",
            survey.id,
        )
        assert last.detail["title"] == "Survei warga" and last.organisation_id == world.org.id
    assert db.session.get(Survey, survey.id) is None  # the event outlives its survey


def test_refused_survey_actions_write_no_event(client, world, survey):
    empty = survey_services.create_blank(
        world.org.id, world.editor.id, title="Kosong", kind="custom", languages=["id"], default_language="id"
    )
    foreign = data.survey(world.other_org, "Survei lain")
    login(client, "viewer@mawar.test")
    assert post(client, f"/surveys/{survey.id}/publish").status_code == 403  # wrong role
    post(client, "/logout")
    login(client, "editor@mawar.test")
    assert post(client, f"/surveys/{empty.id}/publish").status_code == 422  # nothing asked
    assert post(client, f"/surveys/{survey.id}/close").status_code == 422  # a draft is not closed
    assert post(client, f"/surveys/{foreign.id}/publish").status_code == 404  # another organisation
    assert post(client, f"/surveys/{foreign.id}/delete").status_code == 404
    assert events() == []


def test_event_and_action_share_one_transaction(ctx, world, survey):
    # A failure while the event is written undoes the action too ...
    def refuse(*_args):
        raise RuntimeError("disk full")

    sa_event.listen(AuditEvent, "before_insert", refuse)
    try:
        with pytest.raises(RuntimeError):
            survey_services.publish(survey)
    finally:
        sa_event.remove(AuditEvent, "before_insert", refuse)
    db.session.rollback()
    assert db.session.get(Survey, survey.id).status == "draft" and events() == []
    # ... and an action rolled back after record() takes its event with it.
    audit.record(Action.SURVEY_CLOSED, survey, title="x")
    db.session.rollback()
    assert events() == []


def test_a_command_is_recorded_as_the_system(ctx, world, survey):
    survey_services.publish(survey)
    event = only_event(Action.SURVEY_PUBLISHED, None, "surveys", survey.id)
    assert (event.actor_kind, event.api_token_id) == ("system", None)


def test_a_deleted_account_is_not_taken_for_the_system(client, world, survey):
    world.owner.locale = "en"
    db.session.commit()
    login(client, "editor@mawar.test")
    assert post(client, f"/surveys/{survey.id}/publish").status_code == 303
    post(client, "/logout")
    db.session.delete(world.editor)
    db.session.commit()
    assert events()[0].actor_kind == "user" and events()[0].user_id is None
    login(client, "owner@mawar.test")
    page = client.get("/org/audit").get_data(as_text=True)
    assert "a deleted account" in page and "a command on the server" not in page


# ---- members and invitations -------------------------------------------------------


def test_role_change_and_removal(client, world):
    login(client, "owner@mawar.test")
    editor = membership_of(world.editor, world.org)
    assert post(client, f"/org/members/{editor.id}/role", {"role": "viewer"}).status_code == 303
    event = only_event(Action.MEMBER_ROLE_CHANGED, world.owner, "memberships", editor.id)
    assert event.detail == {"name": world.editor.name, "old": "editor", "new": "viewer"}
    # The same role again changes nothing, so nothing is recorded.
    assert post(client, f"/org/members/{editor.id}/role", {"role": "viewer"}).status_code == 303
    assert len(events()) == 1
    viewer = membership_of(world.viewer, world.org)
    assert post(client, f"/org/members/{viewer.id}/remove").status_code == 303
    removed = events()[-1]
    assert (removed.action, removed.subject_id, removed.detail["role"]) == ("member.removed", viewer.id, "viewer")
    assert db.session.get(Membership, viewer.id) is None


def test_refused_membership_changes_write_no_event(client, world):
    owner = membership_of(world.owner, world.org)
    outsider = membership_of(world.outsider, world.other_org)
    login(client, "editor@mawar.test")
    assert post(client, f"/org/members/{owner.id}/role", {"role": "viewer"}).status_code == 403
    post(client, "/logout")
    login(client, "owner@mawar.test")
    assert post(client, f"/org/members/{owner.id}/role", {"role": "viewer"}).status_code == 303  # last owner
    assert db.session.get(Membership, owner.id).role == "owner"
    assert post(client, f"/org/members/{owner.id}/remove").status_code == 303  # last owner
    assert post(client, f"/org/members/{owner.id}/role", {"role": "boss"}).status_code == 303  # bad input
    assert post(client, f"/org/members/{outsider.id}/role", {"role": "viewer"}).status_code == 404
    assert post(client, f"/org/members/{outsider.id}/remove").status_code == 404
    assert post(client, "/org/members/invite", {"email": "not an address", "role": "editor"}).status_code == 303
    assert events() == []


def test_invitation_sent_and_withdrawn(client, world):
    login(client, "owner@mawar.test")
    assert post(client, "/org/members/invite", {"email": "New@Mawar.test", "role": "editor"}).status_code == 303
    invitation = db.session.execute(db.select(Invitation)).scalar_one()
    event = only_event(Action.INVITATION_SENT, world.owner, "invitations", invitation.id)
    assert event.detail == {"email": "new@mawar.test", "role": "editor"}
    assert post(client, f"/org/invitations/{invitation.id}/revoke").status_code == 303
    assert post(client, f"/org/invitations/{invitation.id}/revoke").status_code == 303  # already withdrawn
    assert [e.action for e in events()] == ["invitation.sent", "invitation.revoked"]


# ---- exports -------------------------------------------------------------------------


def test_every_download_of_responses_is_recorded(client, world, survey):
    factories.respond(survey, {"gender": "f"}, check=False)
    factories.respond(survey, {"gender": "m"}, status="partial", check=False)
    db.session.commit()
    login(client, "editor@mawar.test")
    for extension in ("csv", "jsonl", "xlsx", "sav"):
        response = client.get(f"/surveys/{survey.id}/export.{extension}")
        assert response.status_code == 200
        response.get_data()
        last = events()[-1]
        assert (last.action, last.user_id, last.subject_id) == ("export.downloaded", world.editor.id, survey.id)
        assert last.detail == {"title": "Survei warga", "format": extension, "rows": 1, "weighted": False}
    assert client.get(f"/surveys/{survey.id}/export.csv?status=all").get_data()
    assert events()[-1].detail["rows"] == 2  # the rows requested: the filters count
    assert len(events()) == 5
    # The codebook holds the questionnaire only: not an export of responses.
    assert client.get(f"/surveys/{survey.id}/codebook.csv").status_code == 200
    assert len(events()) == 5


def test_refused_downloads_write_no_event(client, world, survey):
    foreign = data.survey(world.other_org, "Survei lain")
    login(client, "viewer@mawar.test")
    assert client.get(f"/surveys/{survey.id}/export.csv").status_code == 403
    post(client, "/logout")
    login(client, "editor@mawar.test")
    assert client.get(f"/surveys/{foreign.id}/export.csv").status_code == 404
    assert client.get(f"/surveys/{survey.id}/export.csv?from=yesterday").status_code == 400
    assert client.get(f"/surveys/{survey.id}/export.csv?weights=1").status_code == 400  # no margins
    assert events() == []


def test_api_export_is_recorded_with_the_token(client, world, survey):
    token, plain = tokens.create(world.org.id, world.owner.id, "dashboard", "read")
    db.session.execute(db.delete(AuditEvent))
    db.session.commit()
    response = client.get(f"/api/v1/surveys/{survey.id}/responses.jsonl", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    response.get_data()
    event = only_event(Action.EXPORT_DOWNLOADED, None, "surveys", survey.id)
    assert event.api_token_id == token.id and event.detail["format"] == "jsonl"
    foreign = data.survey(world.other_org, "Survei lain")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"/api/v1/surveys/{foreign.id}/responses.jsonl", headers=headers).status_code == 404
    assert client.get(f"/api/v1/surveys/{survey.id}/responses.jsonl?from=x", headers=headers).status_code == 400
    assert len(events()) == 1


# ---- participants ---------------------------------------------------------------------


def test_erasure_keeps_the_pseudonym_only(client, world):
    person = people.get_or_create(world.org, "siti@example.org")
    db.session.commit()
    login(client, "editor@mawar.test")
    assert post(client, f"/programmes/participants/{person.id}/erase").status_code == 403
    assert events() == []
    post(client, "/logout")
    login(client, "owner@mawar.test")
    assert post(client, f"/programmes/participants/{person.id}/erase").status_code == 303
    event = only_event(Action.PARTICIPANT_ERASED, world.owner, "participants", person.id)
    assert event.detail == {"pseudonym": person.pseudonym}
    assert "siti" not in str(event.detail) and db.session.get(Participant, person.id).erased_at is not None
    # Erasing again changes nothing and records nothing.
    assert post(client, f"/programmes/participants/{person.id}/erase").status_code == 303
    assert len(events()) == 1


# ---- API tokens and webhooks ----------------------------------------------------------


def test_tokens_and_webhooks(client, app, world):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    try:
        login(client, "owner@mawar.test")
        assert post(client, "/org/api-tokens", {"name": "", "scope": "read"}).status_code == 422
        assert post(client, "/org/api-tokens", {"name": "Dasbor", "scope": "admin"}).status_code == 422
        assert post(client, "/org/webhooks", {"url": "ftp://example.org/x"}).status_code == 422
        assert events() == []
        assert post(client, "/org/api-tokens", {"name": "Dasbor", "scope": "read"}).status_code == 303
        token = db.session.execute(db.select(ApiToken)).scalar_one()
        assert only_event(Action.API_TOKEN_CREATED, world.owner, "api_tokens", token.id).detail == {
            "name": "Dasbor",
            "scope": "read",
        }
        assert post(client, f"/org/api-tokens/{token.id}/revoke").status_code == 303
        assert post(client, f"/org/api-tokens/{token.id}/revoke").status_code == 303  # already revoked
        assert [e.action for e in events()] == ["api_token.created", "api_token.revoked"]
        url = "http://127.0.0.1:8080/hook?key=receiver-secret"
        assert post(client, "/org/webhooks", {"url": url}).status_code == 303
        hook = db.session.execute(db.select(Webhook)).scalar_one()
        assert events()[-1].detail == {"host": "127.0.0.1"}  # never the path or query
        assert post(client, f"/org/webhooks/{hook.id}/delete").status_code == 303
        assert [e.action for e in events()][-2:] == ["webhook.created", "webhook.deleted"]
        assert all(e.subject_id == hook.id for e in events()[-2:])
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = False


# ---- the page ----------------------------------------------------------------------------


def test_page_is_for_owners_of_the_organisation(client, world, survey):
    survey_services.publish(survey)
    data.survey(world.other_org, "Survei lain rahasia")
    foreign = db.session.execute(db.select(Survey).filter_by(organisation_id=world.other_org.id)).scalar_one()
    survey_services.publish(foreign)
    for email in ("editor@mawar.test", "viewer@mawar.test"):
        login(client, email)
        assert client.get("/org/audit").status_code == 403
        post(client, "/logout")
    login(client, "owner@melati.test")
    page = client.get("/org/audit").get_data(as_text=True)
    assert "Survei lain rahasia" in page and "Survei warga" not in page
    post(client, "/logout")
    login(client, "owner@mawar.test")
    page = client.get("/org/audit").get_data(as_text=True)
    assert "Survei warga" in page and "Survei lain rahasia" not in page


def test_page_labels_times_filter_and_pages(client, world, survey):
    world.org.timezone = "Asia/Jayapura"  # UTC+9
    world.owner.locale = "en"
    db.session.commit()
    survey_services.publish(survey)
    survey_services.close(survey)
    published, closed = events()
    published.created_at = datetime(2026, 3, 2, 1, 5)
    closed.created_at = datetime(2026, 3, 2, 2, 5)
    db.session.commit()
    login(client, "owner@mawar.test")
    page = client.get("/org/audit").get_data(as_text=True)
    table = page[page.index("<table") :]
    assert "Survey published" in table and "Survey closed" in table and "survey.closed" not in table
    assert "10:05" in table and "11:05" in table  # 01:05 and 02:05 UTC in Jayapura
    assert table.index("Survey closed") < table.index("Survey published")  # newest first
    only = client.get("/org/audit?action=survey.closed").get_data(as_text=True)
    assert "11:05" in only and "10:05" not in only
    assert client.get("/org/audit?action=nonsense&page=abc").status_code == 200
    world.owner.locale = "id"
    db.session.commit()
    assert "Survei dibuka" in client.get("/org/audit").get_data(as_text=True)


def test_page_is_paginated(client, world, survey):
    for n in range(60):
        db.session.add(
            AuditEvent(
                organisation_id=world.org.id,
                actor_kind="system",
                action="survey.closed",
                subject_type="surveys",
                subject_id=survey.id,
                detail={"title": f"Judul {n:02d}"},
                created_at=datetime(2026, 1, 1) + timedelta(minutes=n),
            )
        )
    db.session.commit()
    world.owner.locale = "en"
    db.session.commit()
    login(client, "owner@mawar.test")
    first = client.get("/org/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Judul 59" in first and "Judul 09" not in first
    last = client.get("/org/audit?page=999").get_data(as_text=True)  # past the end: the last page
    assert "Page 2 of 2" in last and "Judul 00" in last and "Judul 59" not in last
