"""Contact data is for editors and owners (access.can_see_contacts): viewers
see how many were invited, opened and answered, never who. Another
organisation's owner gets 404 on every page that lists people."""

from __future__ import annotations

import pytest

from surveyapp.distribute import contacts, invitations
from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.programmes import services
from tests.conftest import login
from tests.distribute.helpers import make_survey
from tests.programmes.builders import light_programme

PEOPLE = ("Siti Aminah", "siti@example.org", "Budi Santoso", "6281311112222")


@pytest.fixture
def invited(world, ctx):
    """A survey with two invitees; Siti has answered."""
    survey = make_survey(world.org)
    invitations.import_contacts(
        survey,
        world.org,
        contacts.parse(
            b"name,email,phone\nSiti Aminah,siti@example.org,0812 3456 7890\nBudi Santoso,,0813 1111 2222\n"
        ),
    )
    siti = invitations.iter_page(survey.id, 1)[0][0]
    siti.sent_at = siti.opened_at = siti.started_at = siti.completed_at = siti.created_at
    db.session.commit()
    names = db.session.execute(db.select(Participant.pseudonym)).scalars().all()
    return survey, names


def _page(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("suffix", ["", "?page=1", "?page=2"])
def test_viewer_sees_the_invitation_counts_but_nobody(client, world, invited, suffix):
    survey, names = invited
    login(client, "viewer@mawar.test")
    status, page = _page(client, f"/surveys/{survey.id}/invitations{suffix}")
    assert status == 200
    assert "<dt>Invited</dt><dd>2</dd>" in page and "<dt>Answered</dt><dd>1" in page
    for secret in (*PEOPLE, *names):
        assert secret not in page
    assert "Only editors and owners see who was invited" in page


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editor_and_owner_see_the_invitees(client, world, invited, role):
    survey, names = invited
    login(client, f"{role}@mawar.test")
    status, page = _page(client, f"/surveys/{survey.id}/invitations")
    assert status == 200
    for secret in (*PEOPLE, *names):
        assert secret in page


def test_another_organisations_owner_gets_404_on_the_invitations(client, world, invited):
    survey, _names = invited
    login(client, "owner@melati.test")
    status, page = _page(client, f"/surveys/{survey.id}/invitations")
    assert status == 404
    for secret in PEOPLE:
        assert secret not in page


def test_viewer_sees_the_check_in_count_but_not_who_checked_in(client, world):
    h = light_programme(world.org)
    services.check_in(h.a1, "siti@example.org")
    names = db.session.execute(db.select(Participant.pseudonym)).scalars().all()
    url = f"/programmes/activities/{h.a1.id}"
    seen = {}
    for email in ("viewer@mawar.test", "editor@mawar.test", "owner@melati.test"):
        browser = client.application.test_client()
        login(browser, email)
        seen[email] = _page(browser, url)
    status, page = seen["viewer@mawar.test"]
    assert status == 200 and "Check-ins: <strong>2</strong>" in page
    assert not any(name in page for name in names)
    status, page = seen["editor@mawar.test"]
    assert status == 200 and all(name in page for name in names)
    status, page = seen["owner@melati.test"]
    assert status == 404 and not any(name in page for name in names)
