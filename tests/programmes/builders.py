"""A small programme with hand-computable figures (see test_metrics_db.py for the arithmetic)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime
from types import SimpleNamespace

from surveyapp.extensions import db
from surveyapp.participants.models import Participant
from surveyapp.programmes import services
from surveyapp.programmes.models import Attendance, FeedbackItem
from surveyapp.surveys.services import create_from_definition
from tests import factories


def _t(text):
    return {"id": text, "en": text}


def _opts(*codes, values=None):
    return [{"code": c, "label": _t(c), **({"value": values[k]} if values else {})} for k, c in enumerate(codes)]


LIKERT = _opts("1", "2", "3", "4", "5", values=[1, 2, 3, 4, 5])
QUESTIONS = [
    {
        "code": "overall",
        "type": "likert",
        "title": _t("Overall"),
        "metric_role": "satisfaction",
        "settings": {"points": 5},
        "options": LIKERT,
    },
    {"code": "recommend", "type": "rating_0_10", "title": _t("Recommend"), "metric_role": "recommend"},
    {"code": "comment", "type": "long_text", "title": _t("Comment"), "metric_role": "feedback"},
    {
        "code": "gender",
        "type": "single_choice",
        "title": _t("Gender"),
        "metric_role": "demographic:gender",
        "options": _opts("female", "male"),
    },
    {"code": "trust_lg", "type": "rating_0_10", "title": _t("Trust"), "metric_role": "trust:local_government"},
    {
        "code": "belong",
        "type": "likert",
        "title": _t("Belonging"),
        "metric_role": "relations",
        "settings": {"points": 5},
        "options": LIKERT,
    },
    {"code": "used", "type": "yes_no", "title": _t("Used"), "options": _opts("yes", "no")},
    {"code": "safety", "type": "number", "title": _t("Safety"), "metric_role": "outcome:safety"},
]


def definition(title="Pulse"):
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": _t(title),
        "settings": {},
        "pages": [{"questions": QUESTIONS}],
    }


def survey(org, title="Pulse", **fields):
    return create_from_definition(org.id, None, definition(title), **fields)


_counter = itertools.count()


def participant(org):
    p = Participant(organisation_id=org.id, identity_hash=uuid.uuid4().hex, pseudonym=f"P-{next(_counter):06X}")
    db.session.add(p)
    db.session.flush()
    return p


JULY = datetime(2026, 7, 10, 3, 0)
JUNE = datetime(2026, 6, 10, 3, 0)


def hand_programme(org):
    """The programme of test_metrics_db: see the docstring there for every figure."""
    programme = services.create_programme(
        org.id,
        name="Forum Warga",
        area="RW 01-02",
        description=None,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        community_size=100,
    )
    services.set_margins(programme, {"gender": {"female": 70, "male": 30}})
    a1 = services.create_activity(
        programme, title="Forum RW", kind="forum", held_on=date(2026, 7, 5), place="Balai", head_count=10
    )
    a2 = services.create_activity(
        programme, title="Kerja bakti", kind="volunteering", held_on=date(2026, 7, 20), place=None, head_count=None
    )
    wave1, wave2 = survey(org, "Pulse 1"), survey(org, "Pulse 2")
    services.link_survey(programme, wave1, series="pulse", wave=1)
    services.link_survey(programme, wave2, series="pulse", wave=2, activity=a1)
    p1, p2, p3 = participant(org), participant(org), participant(org)
    db.session.commit()
    # June: wave 1
    factories.respond(
        wave1, {"overall": "3", "trust_lg": 4, "used": "no"}, submitted_at=JUNE, participant=p1, duration=100
    )
    factories.respond(wave1, {"overall": "2", "trust_lg": 2, "used": "no"}, submitted_at=JUNE, duration=100)
    factories.respond(wave1, {"overall": "4", "trust_lg": 7, "used": "yes"}, submitted_at=JUNE, duration=100)
    # July: wave 2
    r1 = factories.respond(
        wave2,
        {
            "overall": "5",
            "recommend": 10,
            "comment": "Great forum",
            "gender": "female",
            "trust_lg": 8,
            "belong": "4",
            "used": "yes",
            "safety": 3,
        },
        submitted_at=JULY,
        participant=p1,
        duration=120,
    )
    r2 = factories.respond(
        wave2,
        {
            "overall": "4",
            "recommend": 6,
            "comment": "Too hot",
            "gender": "male",
            "trust_lg": 3,
            "belong": "2",
            "used": "no",
            "safety": 4,
        },
        submitted_at=JULY,
        participant=p2,
        channel="paper",
        duration=300,
    )
    factories.respond(
        wave2,
        {
            "overall": "2",
            "recommend": 9,
            "comment": "  ",
            "gender": "female",
            "trust_lg": 6,
            "belong": "5",
            "used": "yes",
        },
        submitted_at=JULY,
        channel="kiosk",
        duration=200,
    )
    factories.respond(
        wave2,
        {"overall": "3", "gender": "male", "trust_lg": 5, "belong": "3", "used": "yes"},
        submitted_at=JULY,
        duration=60,
    )
    factories.respond(wave2, {"overall": "1"}, submitted_at=JULY, status="partial")
    for activity, person in ((a1, p1), (a1, p3), (a2, p1)):
        db.session.add(Attendance(activity_id=activity.id, participant_id=person.id, channel="qr"))
    db.session.commit()
    services.sync_survey_feedback(programme)
    items = {i.text: i for i in db.session.execute(db.select(FeedbackItem)).scalars()}
    services.tag_feedback(items["Too hot"], topic="venue", sentiment="negative")
    form_item = services.add_feedback(
        programme, text="More forums please", source="form", received_at=datetime(2026, 7, 15, 2, 0)
    )
    services.tag_feedback(form_item, topic="forums", sentiment="positive")
    services.add_action(
        programme,
        [items["Too hot"]],
        description="Fans installed",
        status="done",
        action_date=date(2026, 7, 12),
        team="Sekretariat",
        published=True,
    )
    services.add_action(
        programme,
        [form_item],
        description="Monthly forum",
        status="planned",
        action_date=date(2026, 7, 25),
        team=None,
        published=False,
    )
    water = services.create_indicator(
        programme, code="clean_water", name="Clean water", unit="%", baseline=40, target=60
    )
    services.add_indicator_value(water, observed_on=date(2026, 7, 1), value=50, note=None)
    services.create_indicator(programme, code="safety", name="Feeling safe", unit="1-5", baseline=2, target=4)
    services.add_story(programme, title="Fans at the hall", body="Residents stayed longer.", told_on=date(2026, 7, 21))
    return SimpleNamespace(
        programme=programme,
        wave1=wave1,
        wave2=wave2,
        a1=a1,
        a2=a2,
        p1=p1,
        p2=p2,
        p3=p3,
        r1=r1,
        r2=r2,
        form_item=form_item,
        items=items,
    )


def light_programme(org):
    """One of everything, few rows: for access and role tests."""
    programme = services.create_programme(
        org.id,
        name="Forum Warga",
        area=None,
        description=None,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        community_size=100,
    )
    activity = services.create_activity(
        programme, title="Forum RW", kind="forum", held_on=date(2026, 7, 5), place=None, head_count=3
    )
    wave1 = survey(org, "Pulse 1")
    services.link_survey(programme, wave1, series="pulse", wave=1)
    p1 = participant(org)
    db.session.add(Attendance(activity_id=activity.id, participant_id=p1.id, channel="qr"))
    db.session.commit()
    factories.respond(wave1, {"overall": "4", "comment": "Lampu mati"}, submitted_at=JULY, participant=p1)
    services.sync_survey_feedback(programme)
    item = services.add_feedback(programme, text="More forums please", source="form", received_at=JULY)
    action = services.add_action(
        programme,
        [item],
        description="Monthly forum",
        status="planned",
        action_date=date(2026, 7, 25),
        team=None,
        published=True,
    )
    indicator = services.create_indicator(
        programme, code="clean_water", name="Clean water", unit="%", baseline=40, target=60
    )
    story = services.add_story(programme, title="Fans", body="Residents stayed longer.", told_on=date(2026, 7, 21))
    return SimpleNamespace(
        programme=programme,
        wave1=wave1,
        a1=activity,
        p1=p1,
        form_item=item,
        action=action,
        indicator=indicator,
        story=story,
    )
