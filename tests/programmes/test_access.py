"""Every organiser URL of programmes against every kind of visitor (the pattern of tests/test_access.py).

Roles: viewers read; editors manage programmes, surveys, activities, feedback,
actions, outcomes and stories; owners also delete programmes and look up,
export and erase participants.
"""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.programmes.models import Activity, FeedbackItem, FollowUpAction, OutcomeIndicator, Programme, Story
from tests.conftest import get_csrf, login
from tests.programmes.builders import light_programme

ROUTES = [
    ("GET", "/programmes", "viewer", None, {}),
    ("POST", "/programmes/new", "editor", None, {"name": "Baru", "starts_on": "2026-01-01"}),
    ("GET", "/programmes/{programme}", "viewer", "programme", {}),
    ("GET", "/programmes/{programme}?window=2026-07", "viewer", "programme", {}),
    ("GET", "/programmes/{programme}/metrics.csv?window=2026-07", "viewer", "programme", {}),
    ("GET", "/programmes/{programme}/settings", "viewer", "programme", {}),
    (
        "POST",
        "/programmes/{programme}/settings",
        "editor",
        "programme",
        {"name": "Renamed", "starts_on": "2026-01-01", "community_size": "100"},
    ),
    (
        "POST",
        "/programmes/{programme}/population",
        "editor",
        "programme",
        {"margins": "gender, female, 1\ngender, male, 1"},
    ),
    ("POST", "/programmes/{programme}/delete", "owner", "programme", {}),
    ("GET", "/programmes/{programme}/surveys", "viewer", "programme", {}),
    ("POST", "/programmes/{programme}/surveys/{survey}/unlink", "editor", "programme", {}),
    ("GET", "/programmes/{programme}/activities", "viewer", "programme", {}),
    (
        "POST",
        "/programmes/{programme}/activities",
        "editor",
        "programme",
        {"title": "New", "kind": "forum", "held_on": "2026-07-01"},
    ),
    ("GET", "/programmes/activities/{activity}", "viewer", "activity", {}),
    (
        "POST",
        "/programmes/activities/{activity}",
        "editor",
        "activity",
        {"title": "Changed", "kind": "forum", "held_on": "2026-07-01"},
    ),
    ("POST", "/programmes/activities/{activity}/attendance", "editor", "activity", {"lines": "081234567890"}),
    ("POST", "/programmes/activities/{activity}/notes", "editor", "activity", {"text": "Note"}),
    ("POST", "/programmes/activities/{activity}/delete", "editor", "activity", {}),
    ("GET", "/programmes/{programme}/feedback", "viewer", "programme", {}),
    ("POST", "/programmes/feedback/{feedback}/tag", "editor", "feedback", {"topic": "x", "sentiment": "neutral"}),
    (
        "POST",
        "/programmes/feedback/{feedback}/actions",
        "editor",
        "feedback",
        {"description": "Done it", "status": "done", "action_date": "2026-07-30"},
    ),
    (
        "POST",
        "/programmes/actions/{action}",
        "editor",
        "action",
        {"description": "Changed", "status": "done", "action_date": "2026-07-30"},
    ),
    ("POST", "/programmes/actions/{action}/delete", "editor", "action", {}),
    ("GET", "/programmes/{programme}/outcomes", "viewer", "programme", {}),
    ("POST", "/programmes/{programme}/outcomes", "editor", "programme", {"code": "jobs", "name": "Jobs"}),
    (
        "POST",
        "/programmes/outcomes/{indicator}/values",
        "editor",
        "indicator",
        {"observed_on": "2026-07-02", "value": "55"},
    ),
    ("POST", "/programmes/outcomes/{indicator}/delete", "editor", "indicator", {}),
    ("GET", "/programmes/{programme}/stories", "viewer", "programme", {}),
    (
        "POST",
        "/programmes/{programme}/stories",
        "editor",
        "programme",
        {"title": "T", "body": "B", "told_on": "2026-07-01"},
    ),
    ("POST", "/programmes/stories/{story}/delete", "editor", "story", {}),
    ("GET", "/programmes/participants", "owner", None, {}),
    ("GET", "/programmes/participants/{participant}", "owner", "participant", {}),
    ("GET", "/programmes/participants/{participant}/export.json", "owner", "participant", {}),
    ("POST", "/programmes/participants/{participant}/erase", "owner", "participant", {}),
]
RANK = {"viewer": 1, "editor": 2, "owner": 3}


@pytest.fixture
def objects(world, ctx):
    h = light_programme(world.org)
    return {
        "programme": h.programme.id,
        "survey": h.wave1.id,
        "activity": h.a1.id,
        "feedback": h.form_item.id,
        "action": h.action.id,
        "indicator": h.indicator.id,
        "story": h.story.id,
        "participant": h.p1.id,
    }


def call(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**data, "csrf_token": get_csrf(client, "/dashboard")})


def snapshot():
    db.session.expire_all()
    return (
        db.session.execute(db.select(db.func.count()).select_from(Programme)).scalar_one(),
        db.session.execute(db.select(Programme.name)).scalars().all(),
        db.session.execute(db.select(db.func.count()).select_from(Activity)).scalar_one(),
        db.session.execute(db.select(Activity.title).order_by(Activity.id)).scalars().all(),
        db.session.execute(db.select(FeedbackItem.topic, FeedbackItem.sentiment).order_by(FeedbackItem.id)).all(),
        db.session.execute(db.select(FollowUpAction.description).order_by(FollowUpAction.id)).scalars().all(),
        db.session.execute(db.select(db.func.count()).select_from(OutcomeIndicator)).scalar_one(),
        db.session.execute(db.select(db.func.count()).select_from(Story)).scalar_one(),
        db.session.execute(db.select(Participant.identity_hash).order_by(Participant.id)).scalars().all(),
    )


@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES)
def test_anonymous_is_sent_to_login(client, objects, method, url, needed, obj, data):
    response = client.get(url.format(**objects)) if method == "GET" else client.post(url.format(**objects), data=data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url,needed,obj,data", [r for r in ROUTES if r[3]])
def test_other_organisation_gets_404_and_nothing_changes(client, world, objects, method, url, needed, obj, data):
    before = snapshot()
    login(client, "owner@melati.test")
    response = call(client, method, url.format(**objects), data)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("method,url,needed,obj,data", ROUTES)
def test_roles(client, world, objects, role, method, url, needed, obj, data):
    login(client, f"{role}@mawar.test")
    before = snapshot()
    response = call(client, method, url.format(**objects), data)
    if RANK[role] >= RANK[needed]:
        assert response.status_code in (200, 303), (response.status_code, response.get_data(as_text=True)[:300])
        if method == "POST":
            assert response.status_code == 303
    else:
        assert response.status_code == 403
        assert snapshot() == before
