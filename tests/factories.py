"""Test factories: plain functions that create committed rows."""

from __future__ import annotations

from types import SimpleNamespace

from surveyapp.accounts.models import User
from surveyapp.extensions import db
from surveyapp.orgs.models import Membership, Organisation, Role
from surveyapp.orgs.services import slugify

PASSWORD = "a long test password 42"


def organisation(name: str = "Desa Contoh", **fields) -> Organisation:
    org = Organisation(name=name, slug=fields.pop("slug", slugify(name)), **fields)
    db.session.add(org)
    db.session.commit()
    return org


def user(
    email: str,
    org: Organisation | None = None,
    role: Role = Role.OWNER,
    name: str | None = None,
    password: str = PASSWORD,
) -> User:
    account = User(email=email, name=name or email.split("@")[0].title())
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    if org is not None:
        db.session.add(Membership(user_id=account.id, organisation_id=org.id, role=role.value))
    db.session.commit()
    return account


def two_organisations() -> SimpleNamespace:
    home = organisation("Kelurahan Mawar")
    other = organisation("Desa Melati")
    return SimpleNamespace(
        org=home,
        other_org=other,
        owner=user("owner@mawar.test", home, Role.OWNER),
        editor=user("editor@mawar.test", home, Role.EDITOR),
        viewer=user("viewer@mawar.test", home, Role.VIEWER),
        outsider=user("owner@melati.test", other, Role.OWNER),
    )
