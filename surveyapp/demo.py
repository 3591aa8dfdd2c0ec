"""The demo organisation: an Indonesian kelurahan with its staff, one
survey from each template of the library filled with a few hundred
responses, and an engagement programme with a year of activities.

``seed_demo`` is idempotent: it looks everything up by a natural key and
creates only what is missing, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .accounts.models import User
from .extensions import db
from .orgs.models import Membership, Organisation, Role
from .surveys import library, services
from .surveys.models import Survey, SurveyStatus

DEMO_SLUG = "kelurahan-sukamaju"
DEMO_PASSWORD = "sukamaju-demo-2026"
DEMO_USERS = [
    ("demo@suara.test", "Siti Rahmawati", Role.OWNER),
    ("editor@suara.test", "Budi Santoso", Role.EDITOR),
    ("viewer@suara.test", "Dewi Lestari", Role.VIEWER),
]


@dataclass
class DemoResult:
    organisation: Organisation
    owner_email: str
    password: str
    created: bool


def seed_demo() -> DemoResult:
    organisation = db.session.execute(db.select(Organisation).filter_by(slug=DEMO_SLUG)).scalar_one_or_none()
    created = organisation is None
    if created:
        organisation = Organisation(
            name="Kelurahan Sukamaju", slug=DEMO_SLUG, timezone="Asia/Jakarta", default_language="id"
        )
        db.session.add(organisation)
        db.session.flush()
    for email, name, role in DEMO_USERS:
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        if user is None:
            user = User(email=email, name=name, locale=None)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        membership = db.session.execute(
            db.select(Membership).filter_by(user_id=user.id, organisation_id=organisation.id)
        ).scalar_one_or_none()
        if membership is None:
            db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role.value))
    db.session.commit()
    _seed_surveys(organisation)
    # Each step below is idempotent on its own (it checks what exists).
    from .distribute.demo import seed_responses
    from .programmes.demo import seed_programme
    from .responses.sheets import fill

    seed_responses(organisation)
    seed_programme(organisation)
    fill()  # the seeds insert responses in bulk, past the services that write sheets
    return DemoResult(organisation, DEMO_USERS[0][0], DEMO_PASSWORD, created)


def _seed_surveys(organisation: Organisation) -> None:
    """One open survey per template, found again by its kind (demo surveys
    are the only ones of their kind in the demo organisation)."""
    existing = set(
        db.session.execute(db.select(Survey.kind).where(Survey.organisation_id == organisation.id)).scalars()
    )
    owner = db.session.execute(db.select(User).filter_by(email=DEMO_USERS[0][0])).scalar_one()
    for entry in library.templates():
        if entry.kind in existing:
            continue
        survey = services.create_from_template(organisation.id, owner.id, entry.key)
        survey.status = SurveyStatus.OPEN.value
        db.session.commit()
