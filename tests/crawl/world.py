"""The crawler's world: one organisation with one of everything, built from
the factories and the feature tests' builders, and the values that fill a
URL rule's arguments from their names.

``Crawl.ensure_intact`` compares a fingerprint of what the URLs point at
(seeded rows, memberships, accounts) before every test, and rebuilds the
world when an earlier POST deleted or changed it, so no test depends on the
order the others ran in.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field

from sqlalchemy import text as sql

from surveyapp.accounts import services as accounts
from surveyapp.accounts.models import User
from surveyapp.api import tokens as api_tokens
from surveyapp.collect.models import SurveyInvitation
from surveyapp.distribute import invitations, kiosk
from surveyapp.distribute.contacts import Contact
from surveyapp.extensions import db
from surveyapp.orgs import services as orgs
from surveyapp.orgs.models import Invitation, Membership, Role
from surveyapp.participants.models import Participant
from surveyapp.programmes.models import Activity, FeedbackItem, FollowUpAction, OutcomeIndicator, Programme, Story
from surveyapp.responses import sheets
from surveyapp.responses import tokens as response_tokens
from surveyapp.responses.models import Response
from surveyapp.surveys.models import Page, Question, Survey
from surveyapp.surveys.services import create_from_definition
from surveyapp.webhooks.models import Webhook
from surveyapp.xlsform.models import ImportReport
from tests import factories
from tests.programmes.builders import light_programme
from tests.results import builders as results

# In every organiser page the outsider may read, none of these may appear.
HOME_MARKERS = ("Kelurahan Mawar", "@mawar.test", "Survei warga rahasia")
MISSING_ID = 999999
OVERFLOW_IDS = (2**31, 2**63, 10**30)
USERS = ("anonymous", "viewer", "editor", "owner", "outsider")
EMAILS = {
    "viewer": "viewer@mawar.test",
    "editor": "editor@mawar.test",
    "owner": "owner@mawar.test",
    "outsider": "owner@melati.test",
}

SHORT_TEXT = {"code": "name", "type": "short_text", "title": results._t("Your name")}


def survey_document() -> dict:
    """Every question type, on three pages, the second shown by logic."""
    questions = copy.deepcopy(results.QUESTIONS) + [SHORT_TEXT]
    doc = results.definition("Survei warga rahasia", questions, {"public_results": True})
    doc["pages"] = [
        {"questions": questions[:5]},
        {"questions": questions[5:10], "logic": {"question": "gender", "op": "equals", "value": "f"}},
        {"questions": questions[10:]},
    ]
    return doc


@dataclass
class World:
    """Ids and tokens of the seeded rows, by the URL argument they fill."""

    ids: dict = field(default_factory=dict)
    by_endpoint: dict = field(default_factory=dict)
    api_keys: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    def values(self, endpoint: str, arguments) -> dict:
        """Existing values for ``arguments`` of ``endpoint``'s rule."""
        chosen = {**self.ids, **self.by_endpoint.get(endpoint, {})}
        missing = [name for name in arguments if name not in chosen]
        assert not missing, f"the crawler's world has no value for {missing} of {endpoint}: add one in world.py"
        return {name: chosen[name] for name in arguments}


def seed() -> World:
    people = factories.two_organisations()
    org = people.org
    spare = factories.user("spare@mawar.test", org, Role.VIEWER)
    spare_membership = db.session.execute(db.select(Membership).filter_by(user_id=spare.id)).scalar_one()

    survey = create_from_definition(org.id, people.owner.id, survey_document())
    survey.status = "open"
    db.session.commit()
    person = results.participant(org)
    factories.respond(
        survey,
        {
            "gender": "f",
            "rw": "rw1",
            "services": ["clinic", "other"],
            "overall": "4",
            "aspects": {"speed": "3", "staff": "5"},
            "recommend": 9,
            "trust_police": 6,
            "stars": 4,
            "priorities": {"roads": 1, "water": 2, "light": 3},
            "age": 41,
            "visit": "2026-03-01",
            "comment": "Lampu jalan mati",
            "used": "yes",
            "name": "Ani",
        },
        participant=person.id,
        check=False,
    )
    factories.respond(
        survey,
        {"gender": "m", "overall": "2", "recommend": 3, "comment": "Antre lama"},
        channel="paper",
        language="en",
        check=False,
    )
    for number in range(6):  # past the privacy floor k=5, so public results show charts
        factories.respond(
            survey,
            {
                "gender": "fm"[number % 2],
                "rw": f"rw{number % 3 + 1}",
                "overall": str(number % 5 + 1),
                "recommend": number,
                "services": ["school"],
                "comment": f"Komentar {number}",
            },
            channel=("link", "qr", "kiosk")[number % 3],
            check=False,
        )
    partial = factories.respond(survey, {"gender": "f"}, status="partial")
    resume = response_tokens.resume_token(partial.submission_id)
    partial.resume_token_hash = response_tokens.resume_token_hash(resume)
    db.session.commit()
    invitations.import_contacts(
        survey,
        org,
        [
            Contact(line=2, name="Budi", email="budi@mawar.test", phone=None),
            Contact(line=3, name="Citra", email=None, phone="+628123456789"),
        ],
    )
    invitation = (
        db.session.execute(db.select(SurveyInvitation).filter_by(survey_id=survey.id).order_by(SurveyInvitation.id))
        .scalars()
        .first()
    )
    sheets.fill()  # the builders insert answers past the services that write sheets

    programme = light_programme(org)
    programme.programme.public_page_enabled = programme.programme.feedback_form_enabled = True
    org_invitation, join_token = orgs.invite(org, "newcomer@mawar.test", Role.VIEWER, people.owner)
    read_token, read_key = api_tokens.create(org.id, people.owner.id, "crawler read", "read")
    _, write_key = api_tokens.create(org.id, people.owner.id, "crawler write", "write")
    _, outsider_key = api_tokens.create(people.other_org.id, people.outsider.id, "outsider", "write")
    webhook = Webhook(
        organisation_id=org.id,
        created_by_id=people.owner.id,
        url="https://hooks.example.org/suara",
        secret=secrets.token_hex(32),
    )
    report = ImportReport(
        organisation_id=org.id, survey_id=survey.id, kind="xlsform", filename="form.xlsx", lines=["Imported."]
    )
    db.session.add_all([webhook, report])
    db.session.commit()

    page = survey.pages[0]
    choice = next(q for q in survey.questions if q.type == "single_choice")
    text_question = next(q for q in survey.questions if q.type == "long_text")
    world = World()
    world.ids = {
        "survey_id": survey.id,
        "page_id": page.id,
        "question_id": choice.id,
        "programme_id": programme.programme.id,
        "activity_id": programme.a1.id,
        "feedback_id": programme.form_item.id,
        "action_id": programme.action.id,
        "indicator_id": programme.indicator.id,
        "story_id": programme.story.id,
        "participant_id": programme.p1.id,
        "membership_id": spare_membership.id,
        "invitation_id": org_invitation.id,
        "report_id": report.id,
        "token_id": read_token.id,
        "webhook_id": webhook.id,
        "token": survey.public_token,
        "invite": invitations.link_token(invitation),
        "resume": resume,
        "kiosk_token": kiosk.token_for(survey),
        "code": "en",
        "action": "send",
        "kind": "svg",
        "filename": "css/suara.css",
    }
    public = programme.programme.public_token
    world.by_endpoint = {
        "programmes.display_checkin": {"token": programme.a1.checkin_token},
        "programmes.display_you_said": {"token": public},
        "programmes.display_feedback_form": {"token": public},
        "orgs.join": {"token": join_token},
        "accounts.reset_password": {"token": accounts.make_reset_token(spare)},
        "accounts.confirm_signup": {
            "token": accounts.make_signup_token("Crawled", "crawled@new.test", "a long crawl password 1", "Crawl org")
        },
        "programmes.manage_unlink_survey": {"survey_id": programme.wave1.id},
        "results.manage_answers": {"question_id": text_question.id},
    }
    world.api_keys = {"viewer": read_key, "editor": write_key, "owner": write_key, "outsider": outsider_key}
    # What the URLs point at, checked by ``fingerprint``.
    world.rows = {
        Survey: [survey.id, programme.wave1.id],
        Page: [page.id],
        Question: [choice.id, text_question.id],
        Response: [partial.id],
        SurveyInvitation: [invitation.id],
        Participant: [programme.p1.id],
        Programme: [programme.programme.id],
        Activity: [programme.a1.id],
        FeedbackItem: [programme.form_item.id],
        FollowUpAction: [programme.action.id],
        OutcomeIndicator: [programme.indicator.id],
        Story: [programme.story.id],
        Invitation: [org_invitation.id],
        Webhook: [webhook.id],
        ImportReport: [report.id],
    }
    return world


def fingerprint(world: World) -> tuple:
    """Which seeded rows still exist, who belongs where with which role,
    and the accounts' credentials: what a later test's URLs rely on."""
    present = tuple(
        (
            model.__tablename__,
            tuple(db.session.execute(db.select(model.id).where(model.id.in_(ids)).order_by(model.id)).scalars()),
        )
        for model, ids in world.rows.items()
    )
    invitation_open = db.session.execute(
        db.select(Invitation.revoked_at, Invitation.accepted_at).where(Invitation.id == world.ids["invitation_id"])
    ).all()
    tokens_live = db.session.execute(sql("SELECT id, revoked_at FROM api_tokens ORDER BY id")).all()
    members = db.session.execute(
        db.select(Membership.user_id, Membership.organisation_id, Membership.role).order_by(Membership.id)
    ).all()
    accounts_ = db.session.execute(
        db.select(User.id, User.email, User.password_hash, User.is_active_account).order_by(User.id)
    ).all()
    return present, tuple(invitation_open), tuple(tokens_live), tuple(members), tuple(accounts_)
