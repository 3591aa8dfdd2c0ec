"""Participant pseudonyms: one scheme, unique per organisation, even when the
random draw repeats; the owner's look-up by pseudonym finds exactly one person."""

from __future__ import annotations

import hashlib
import hmac
import itertools

import pytest
from sqlalchemy.exc import IntegrityError

from surveyapp.distribute import contacts, invitations
from surveyapp.extensions import db
from surveyapp.participants import pseudonyms
from surveyapp.participants import queries as people
from surveyapp.participants.models import Participant
from surveyapp.programmes import services
from tests.collect.helpers import make_survey
from tests.conftest import get_csrf, login
from tests.programmes.builders import light_programme


def _find_by_pseudonym(client, pseudonym: str):
    return client.post(
        "/programmes/participants", data={"identity": pseudonym, "csrf_token": get_csrf(client, "/dashboard")}
    )


def _repeating(monkeypatch, *values: str) -> None:
    """The random source returns ``values`` in turn, then fresh digits."""
    draws = iter(values)
    fresh = pseudonyms._random_digits
    monkeypatch.setattr(pseudonyms, "_random_digits", lambda: next(draws, None) or fresh())


def _colliding_emails(salt: str) -> tuple[str, str]:
    """Two e-mail addresses whose identity hashes start with the same six hex
    digits (the old pseudonym was those digits): a birthday search, ~4,000 tries."""
    seen: dict[str, str] = {}
    for n in itertools.count():
        email = f"warga{n}@example.org"
        prefix = hmac.new(salt.encode(), email.encode(), hashlib.sha256).hexdigest()[:6]
        if prefix in seen:
            return seen[prefix], email
        seen[prefix] = email


def test_residents_whose_hashes_begin_alike_get_distinct_pseudonyms(client, world):
    first, second = _colliding_emails(world.org.participant_salt)
    survey = make_survey(world.org)
    invitations.import_contacts(survey, world.org, contacts.parse(f"email\n{first}\n{second}\n".encode()))
    names = (
        db.session.execute(db.select(Participant.pseudonym).where(Participant.organisation_id == world.org.id))
        .scalars()
        .all()
    )
    assert len(names) == 2 and len(set(names)) == 2
    login(client, "owner@mawar.test")
    for name in names:
        assert _find_by_pseudonym(client, name).status_code == 303


def test_a_repeated_draw_at_check_in_still_gives_a_distinct_pseudonym(client, world, monkeypatch):
    h = light_programme(world.org)
    _repeating(monkeypatch, "ABCDEF0123", "ABCDEF0123")
    services.check_in(h.a1, "siti@example.org")
    services.check_in(h.a1, "budi@example.org")
    siti, budi = people.find(world.org, "siti@example.org"), people.find(world.org, "budi@example.org")
    assert siti.pseudonym == "P-ABCDEF0123" and budi.pseudonym != siti.pseudonym
    assert pseudonyms.is_pseudonym(budi.pseudonym)
    # The owner's erasure look-up by pseudonym finds each of them, once.
    assert people.find(world.org, "p-abcdef0123").id == siti.id
    assert people.find(world.org, budi.pseudonym).id == budi.id
    login(client, "owner@mawar.test")
    found = _find_by_pseudonym(client, budi.pseudonym)
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/programmes/participants/{budi.id}")


def test_a_repeated_draw_within_and_across_imports_still_gives_distinct_pseudonyms(world, monkeypatch):
    survey = make_survey(world.org)
    _repeating(monkeypatch, "1111111111", "1111111111", "1111111111", "2222222222")
    invitations.import_contacts(survey, world.org, contacts.parse(b"email\na@example.org\nb@example.org\n"))
    # c's draw is free, d's is taken twice: only d is drawn again, and both are stored.
    _repeating(monkeypatch, "4444444444", "1111111111", "2222222222", "3333333333")
    invitations.import_contacts(survey, world.org, contacts.parse(b"email\nc@example.org\nd@example.org\n"))
    names = (
        db.session.execute(
            db.select(Participant.pseudonym).where(Participant.organisation_id == world.org.id).order_by(Participant.id)
        )
        .scalars()
        .all()
    )
    assert names == ["P-1111111111", "P-2222222222", "P-4444444444", "P-3333333333"]
    assert len(invitations.iter_page(survey.id, 1)) == 4


def test_the_database_refuses_a_second_participant_with_the_same_pseudonym(world):
    db.session.add(Participant(organisation_id=world.org.id, identity_hash="a" * 64, pseudonym="P-ABC123"))
    db.session.add(Participant(organisation_id=world.other_org.id, identity_hash="b" * 64, pseudonym="P-ABC123"))
    db.session.commit()  # another organisation may use the same one
    db.session.add(Participant(organisation_id=world.org.id, identity_hash="c" * 64, pseudonym="P-ABC123"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_erasure_look_up_by_pseudonym_returns_the_one_participant(client, world):
    old = Participant(organisation_id=world.org.id, identity_hash="a" * 64, pseudonym="P-7F3A2C")  # before 0009p
    db.session.add(old)
    db.session.add(Participant(organisation_id=world.other_org.id, identity_hash="b" * 64, pseudonym="P-7F3A2C"))
    db.session.commit()
    login(client, "owner@mawar.test")
    found = _find_by_pseudonym(client, " p-7f3a2c ")
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/programmes/participants/{old.id}")
    assert _find_by_pseudonym(client, "P-7F3A2D").status_code == 404


def test_pseudonyms_are_long_enough_to_make_collisions_negligible():
    drawn = pseudonyms.draw()
    assert pseudonyms.is_pseudonym(drawn) and len(drawn) == len("P-") + pseudonyms.DIGITS
    # Birthday bound for 10,000 participants in one organisation: under 1 in 20,000.
    assert 10_000**2 / 2 / 16**pseudonyms.DIGITS < 1 / 20_000
    assert not pseudonyms.is_pseudonym("P-12345") and not pseudonyms.is_pseudonym("0812345678")
