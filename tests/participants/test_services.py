"""The one get-or-create: whichever door a person comes in by (an invitation
by e-mail or phone, a check-in, an attendance list), they are one participant."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.participants import services
from surveyapp.participants.identity import IdentityError
from surveyapp.participants.models import Participant


def _count(org) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(Participant).where(Participant.organisation_id == org.id)
    ).scalar_one()


def test_a_person_known_by_phone_and_later_by_email_and_phone_is_one_participant(world):
    by_phone = services.get_or_create(world.org, "0812-3456-7890")
    invited, other = services.get_or_create_all(
        world.org, [("Siti@Example.org", "+62 812 3456 7890"), ("budi@example.org", None)]
    )
    assert invited.id == by_phone.id and other.id != by_phone.id
    assert services.get_or_create(world.org, "6281234567890").id == by_phone.id
    assert _count(world.org) == 2


def test_the_same_contact_in_another_organisation_is_another_participant(world):
    mine = services.get_or_create(world.org, "siti@example.org")
    theirs = services.get_or_create(world.other_org, "siti@example.org")
    assert mine.id != theirs.id and mine.identity_hash != theirs.identity_hash


def test_an_unreadable_contact_is_refused_one_at_a_time_and_kept_unmatchable_in_a_list(world):
    with pytest.raises(IdentityError):
        services.get_or_create(world.org, "not a contact")
    assert _count(world.org) == 0
    first, second = services.get_or_create_all(world.org, [(None, "12"), (None, "12")])
    assert first.identity_hash is None and second.identity_hash is None and first.id != second.id


def test_one_person_twice_in_a_list_is_one_participant(world):
    first, second = services.get_or_create_all(world.org, [("siti@example.org", None), (None, "SITI@example.org")])
    assert first is second and _count(world.org) == 1
