"""Invitations, roles, removing members, switching organisation."""

from __future__ import annotations

import re

from surveyapp.extensions import db
from surveyapp.orgs.models import Invitation, Membership, Role
from tests.conftest import login, post_form


def invite(client, email="new@mawar.test", role="editor"):
    response = post_form(client, "/org/members/invite", {"email": email, "role": role}, token_from="/org/members")
    assert response.status_code == 303
    page = client.get("/org/members").get_data(as_text=True)
    match = re.search(r'value="http://localhost(/org/join/[^"]+)"', page)
    assert match, "invitation link is shown once to the owner"
    return match.group(1)


def membership(user, org):
    return db.session.execute(
        db.select(Membership).filter_by(user_id=user.id, organisation_id=org.id)
    ).scalar_one_or_none()


def test_invited_person_creates_account_and_joins_with_role(client, world):
    login(client, "owner@mawar.test")
    path = invite(client, role="viewer")
    post_form(client, "/logout", token_from="/dashboard")
    response = post_form(
        client, path, {"name": "Rina", "password": "sebuah kalimat panjang", "confirm": "sebuah kalimat panjang"}
    )
    assert response.status_code == 303
    joined = db.session.execute(
        db.select(Membership).join(Membership.user).filter_by(email="new@mawar.test")
    ).scalar_one()
    assert joined.role == "viewer" and joined.organisation_id == world.org.id
    # The link works once.
    assert client.get(path).status_code == 404


def test_existing_user_must_be_the_invited_address(client, world):
    login(client, "owner@mawar.test")
    path = invite(client, email="owner@melati.test")
    post_form(client, "/logout", token_from="/dashboard")
    login(client, "editor@mawar.test")  # not the invited address
    response = post_form(client, path, {})
    assert response.status_code == 403
    post_form(client, "/logout", token_from="/dashboard")
    login(client, "owner@melati.test")
    assert post_form(client, path, {}).status_code == 303
    assert membership(world.outsider, world.org).role == "editor"


def test_bad_invitations(client, world, ctx):
    login(client, "owner@mawar.test")
    response = post_form(
        client, "/org/members/invite", {"email": "not-an-address", "role": "editor"}, token_from="/org/members"
    )
    assert response.status_code == 303
    response = post_form(
        client, "/org/members/invite", {"email": "x@y.test", "role": "emperor"}, token_from="/org/members"
    )
    assert response.status_code == 303
    assert db.session.execute(db.select(db.func.count()).select_from(Invitation)).scalar_one() == 0
    assert client.get("/org/join/not-a-real-token").status_code == 404


def test_withdrawn_invitation_cannot_be_used(client, world, ctx):
    login(client, "owner@mawar.test")
    path = invite(client)
    invitation = db.session.execute(db.select(Invitation)).scalar_one()
    assert (
        post_form(client, f"/org/invitations/{invitation.id}/revoke", {}, token_from="/org/members").status_code == 303
    )
    assert client.get(path).status_code == 404


def test_owner_changes_role_and_removes_member(client, world, ctx):
    login(client, "owner@mawar.test")
    editor = membership(world.editor, world.org)
    assert (
        post_form(client, f"/org/members/{editor.id}/role", {"role": "viewer"}, token_from="/org/members").status_code
        == 303
    )
    db.session.refresh(editor)
    assert editor.role == "viewer"
    assert post_form(client, f"/org/members/{editor.id}/remove", {}, token_from="/org/members").status_code == 303
    db.session.expire_all()
    assert membership(world.editor, world.org) is None


def test_last_owner_cannot_leave_or_be_demoted(client, world, ctx):
    login(client, "owner@mawar.test")
    owner = membership(world.owner, world.org)
    post_form(client, f"/org/members/{owner.id}/role", {"role": "viewer"}, token_from="/org/members")
    post_form(client, f"/org/members/{owner.id}/remove", {}, token_from="/org/members")
    db.session.expire_all()
    assert membership(world.owner, world.org).role == Role.OWNER.value


def test_switch_organisation_only_to_own_memberships(client, world, ctx, make):
    make.user("both@x.test", world.org, Role.VIEWER)
    from surveyapp.accounts.models import User

    both = db.session.execute(db.select(User).filter_by(email="both@x.test")).scalar_one()
    db.session.add(Membership(user_id=both.id, organisation_id=world.other_org.id, role="editor"))
    db.session.commit()
    login(client, "both@x.test")
    assert "Kelurahan Mawar" in client.get("/dashboard").get_data(as_text=True)
    assert (
        post_form(client, "/org/switch", {"organisation_id": world.other_org.id}, token_from="/dashboard").status_code
        == 303
    )
    assert "Desa Melati" in client.get("/dashboard").get_data(as_text=True)
    post_form(client, "/logout", token_from="/dashboard")
    login(client, "viewer@mawar.test")
    assert (
        post_form(client, "/org/switch", {"organisation_id": world.other_org.id}, token_from="/dashboard").status_code
        == 404
    )


def test_settings_validation(client, world, ctx):
    login(client, "owner@mawar.test")
    bad = post_form(
        client,
        "/org/settings",
        {"name": "Mawar", "timezone": "Mars/Olympus", "default_language": "id", "privacy_min_cell": "2"},
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Unknown time zone" in body and "from 3 to 100" in body
    good = post_form(
        client,
        "/org/settings",
        {
            "name": "Kelurahan Mawar Baru",
            "timezone": "Asia/Makassar",
            "default_language": "en",
            "privacy_min_cell": "7",
        },
    )
    assert good.status_code == 303
    db.session.refresh(world.org)
    assert (world.org.name, world.org.timezone, world.org.privacy_min_cell) == (
        "Kelurahan Mawar Baru",
        "Asia/Makassar",
        7,
    )
