"""Every organiser URL against every kind of visitor.

The least role of EVERY endpoint is listed in tests/crawl/access_registry.py
and checked by the route crawler; ROUTES here keeps the organisation URLs
with valid form data, so a permitted change is seen to succeed.
``needed`` is the least role that may use the URL; ``obj`` names a fixture
object of the home organisation whose id fills the URL, so an outsider
(owner of another organisation) must get 404 for it.
"""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.orgs.models import Invitation, Membership
from tests.conftest import get_csrf, login

ROUTES = [
    # (method, url template, least role, object kind or None, form data)
    ("GET", "/dashboard", "viewer", None, {}),
    ("GET", "/org/members", "viewer", None, {}),
    ("GET", "/org/settings", "owner", None, {}),
    (
        "POST",
        "/org/settings",
        "owner",
        None,
        {"name": "X", "timezone": "Asia/Jakarta", "default_language": "id", "privacy_min_cell": "5"},
    ),
    ("POST", "/org/members/invite", "owner", None, {"email": "z@z.test", "role": "viewer"}),
    ("POST", "/org/members/{membership}/role", "owner", "membership", {"role": "viewer"}),
    ("POST", "/org/members/{membership}/remove", "owner", "membership", {}),
    ("POST", "/org/invitations/{invitation}/revoke", "owner", "invitation", {}),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}


@pytest.fixture
def objects(world, ctx):
    from surveyapp.orgs.services import invite

    invitation, _ = invite(
        world.org, "someone@mawar.test", __import__("surveyapp.orgs.models", fromlist=["Role"]).Role.VIEWER, world.owner
    )
    editor_membership = db.session.execute(
        db.select(Membership).filter_by(user_id=world.editor.id, organisation_id=world.org.id)
    ).scalar_one()
    return {"membership": editor_membership.id, "invitation": invitation.id}


def call(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**data, "csrf_token": get_csrf(client, "/dashboard")})


def fill(url, objects):
    return url.format(**objects)


@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES)
def test_anonymous_is_sent_to_login(client, objects, method, url, needed, obj, data):
    response = client.get(fill(url, objects)) if method == "GET" else client.post(fill(url, objects), data=data)
    # A POST without a session has no CSRF token either: refused before anything happens.
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url,needed,obj,data", [r for r in ROUTES if r[3]])
def test_other_organisation_gets_404(client, world, objects, method, url, needed, obj, data):
    login(client, "owner@melati.test")
    response = call(client, method, fill(url, objects), data)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Membership, objects["membership"]).role == "editor"
    assert db.session.get(Invitation, objects["invitation"]).revoked_at is None


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES)
def test_roles(client, world, objects, role, method, url, needed, obj, data):
    login(client, f"{role}@mawar.test")
    response = call(client, method, fill(url, objects), data)
    if RANK[role] >= RANK[needed]:
        assert response.status_code in (200, 302, 303), response.status_code
    else:
        assert response.status_code == 403


def test_a_route_declares_one_role_or_a_read_and_a_write_role():
    from surveyapp.access import role_required
    from surveyapp.orgs.models import Role

    for wrong in ({}, {"read": Role.VIEWER}, {"write": Role.EDITOR}):
        with pytest.raises(TypeError):
            role_required(**wrong)
    with pytest.raises(TypeError):
        role_required(Role.EDITOR, read=Role.VIEWER, write=Role.EDITOR)


@pytest.mark.parametrize("method,viewer_may", [("GET", True), ("HEAD", True), ("POST", False), ("DELETE", False)])
def test_read_and_write_roles_are_checked_per_method_before_the_view_runs(app, world, method, viewer_may):
    from flask import g
    from flask_login import login_user
    from werkzeug.exceptions import Forbidden

    from surveyapp.access import role_required
    from surveyapp.orgs.models import Role

    ran = []

    @role_required(read=Role.VIEWER, write=Role.EDITOR)
    def probe():
        ran.append(True)
        return "ok"

    for user, allowed in ((world.viewer, viewer_may), (world.editor, True)):
        with app.test_request_context("/probe", method=method):
            login_user(user)
            g.pop("membership", None)  # the test's app context outlives each request
            if allowed:
                assert probe() == "ok"
            else:
                with pytest.raises(Forbidden):
                    probe()
    assert len(ran) == (2 if viewer_may else 1)


def test_no_programme_page_refuses_a_role_in_its_body():
    """Roles are declared on the route (role_required(read=..., write=...)),
    never refused inside a view."""
    from pathlib import Path

    import surveyapp.programmes.routes as routes

    for path in Path(routes.__file__).parent.glob("*.py"):
        assert "abort(403)" not in path.read_text(encoding="utf-8"), path.name
