"""The demo programme of the demo kelurahan: a year of activities, attendance,
two waves of the trust and satisfaction surveys, a relations survey,
feedback with actions, outcome indicators, stories and population margins,
so every metric of the dashboard has data.

``seed_programme`` is idempotent (found again by name) and deterministic
(random.Random(2026)); rows are inserted in bulk.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from ..collect.models import SurveyInvitation
from ..extensions import db
from ..orgs.models import Organisation
from ..participants import pseudonyms
from ..participants.identity import identity_hash
from ..participants.models import Participant
from ..questions import get_type
from ..responses.models import Answer, Response
from ..surveys import services as survey_services
from ..surveys.models import Survey, SurveyStatus
from . import services
from .models import Attendance, FeedbackItem, Programme, ProgrammeSurvey

DEMO_PROGRAMME = "Sukamaju Mendengar 2026"
COMMUNITY_SIZE = 12_000
MARGINS = {
    "age_band": {"under_18": 3600, "18_29": 2400, "30_44": 2700, "45_59": 2100, "60_plus": 1200},
    "gender": {"female": 6050, "male": 5950},
    "neighbourhood": {
        "rw_01": 1600,
        "rw_02": 1500,
        "rw_03": 1400,
        "rw_04": 1500,
        "rw_05": 1700,
        "rw_06": 1400,
        "rw_07": 1500,
        "rw_08": 1400,
    },
    "disability": {"yes": 600, "no": 11400},
    "home_language": {"indonesian": 5400, "javanese": 3600, "sundanese": 2400, "other": 600},
}
# Who answers: young adults and RW 05 are under-reached, as in many kelurahan.
SAMPLE_WEIGHTS = {
    "age_band": {"under_18": 2, "18_29": 8, "30_44": 36, "45_59": 34, "60_plus": 20},
    "gender": {"female": 44, "male": 54, "prefer_not_to_say": 2},
    "neighbourhood": {
        "rw_01": 15,
        "rw_02": 14,
        "rw_03": 14,
        "rw_04": 13,
        "rw_05": 4,
        "rw_06": 14,
        "rw_07": 13,
        "rw_08": 13,
    },
    "disability": {"yes": 4, "no": 92, "prefer_not_to_say": 4},
    "home_language": {"indonesian": 50, "javanese": 31, "sundanese": 16, "other": 3},
}
ACTIVITIES = [
    ("Musyawarah warga RW {rw}", "forum"),
    ("Kerja bakti saluran air", "volunteering"),
    ("Pelatihan UMKM", "training"),
    ("Posyandu lansia", "service"),
]
FEEDBACK_TEXTS = {
    "lighting": [
        "Lampu jalan di gang RW 05 mati sudah sebulan.",
        "Tolong tambah lampu jalan dekat musala.",
        "Jalan ke pasar gelap sekali malam hari.",
        "Lampu PJU depan sekolah sering padam.",
    ],
    "drainage": [
        "Saluran air mampet kalau hujan deras.",
        "Got di RT 03 perlu dikeruk.",
        "Banjir kecil tiap hujan di jalan utama.",
    ],
    "services": [
        "Antrian di kantor kelurahan terlalu lama.",
        "Pelayanan KTP sekarang lebih cepat, terima kasih.",
        "Jam buka posyandu sebaiknya sore hari.",
    ],
    "forum": [
        "Musyawarahnya bagus, semua boleh bicara.",
        "Undangan forum terlambat sampai ke warga.",
        "Senang ada forum rutin tiap bulan.",
        "Ruangannya panas, perlu kipas angin.",
    ],
}
STORIES = [
    (
        "Lampu jalan RW 05 menyala lagi",
        "Setelah warga RW 05 menyampaikan keluhan di forum bulan Maret, kelurahan memasang 12 lampu jalan baru. Ibu-ibu pengajian kini bisa pulang malam dengan aman.",
        date(2026, 5, 14),
    ),
    (
        "Pemuda ikut kerja bakti",
        "Karang Taruna mengajak 30 pemuda membersihkan saluran air. Untuk pertama kalinya, banjir kecil di jalan utama tidak terjadi saat hujan deras.",
        date(2026, 8, 9),
    ),
    (
        "UMKM naik kelas",
        "Lima peserta pelatihan UMKM kini menjual produknya secara daring dan penghasilan mereka naik.",
        date(2026, 10, 3),
    ),
    (
        "Forum warga yang lebih terbuka",
        "Forum warga bulan Oktober dihadiri lebih banyak perempuan setelah jadwal dipindah ke sore hari.",
        date(2026, 11, 2),
    ),
]


def seed_programme(organisation: Organisation) -> Programme:
    """Create the demo programme (or return it unchanged when it exists)."""
    existing = db.session.execute(
        db.select(Programme).filter_by(organisation_id=organisation.id, name=DEMO_PROGRAMME)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    rng = random.Random(2026)
    programme = services.create_programme(
        organisation.id,
        name=DEMO_PROGRAMME,
        area="Kelurahan Sukamaju, RW 01-08",
        description="Program pelibatan warga 2026: forum RW, kerja bakti, pelatihan, dan survei kepercayaan serta kepuasan.",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        community_size=COMMUNITY_SIZE,
    )
    services.set_margins(programme, MARGINS)
    programme.public_page_enabled = programme.feedback_form_enabled = True
    db.session.commit()

    people = _participants(organisation, rng, 600)
    activities = _activities(programme, people, rng)
    trust1, sat1, relations = (
        _demo_survey(organisation, kind) for kind in ("trust", "satisfaction", "community_relations")
    )
    trust2 = _second_wave(trust1, "Survei Kepercayaan Warga, gelombang 2")
    sat2 = _second_wave(sat1, "Survei Kepuasan Peserta, gelombang 2")
    services.link_survey(programme, trust1, series="trust", wave=1)
    services.link_survey(programme, trust2, series="trust", wave=2)
    services.link_survey(programme, sat1, series="satisfaction", wave=1, activity=activities[6])
    services.link_survey(programme, sat2, series="satisfaction", wave=2, activity=activities[19])
    services.link_survey(programme, relations)
    for survey in (trust1, sat1, relations, sat2):
        survey.status = SurveyStatus.CLOSED.value
    trust2.status = SurveyStatus.OPEN.value  # still collecting: representation flags show
    db.session.commit()

    wave1_people: list[int] = []
    wave1_people += _responses(
        trust1, people, rng, 180, date(2026, 2, 2), date(2026, 3, 20), trust_shift=0, returning_from=None
    )
    _responses(
        trust2,
        people,
        rng,
        220,
        date(2026, 10, 1),
        date(2026, 11, 20),
        trust_shift=1.2,
        returning_from=wave1_people,
        invitations=True,
    )
    sat_people = _responses(
        sat1, people, rng, 120, date(2026, 4, 4), date(2026, 4, 30), sat_shift=0, returning_from=None
    )
    _responses(sat2, people, rng, 150, date(2026, 10, 10), date(2026, 11, 15), sat_shift=0.5, returning_from=sat_people)
    _responses(relations, people, rng, 240, date(2026, 1, 10), date(2026, 11, 20), returning_from=None)
    services.sync_survey_feedback(programme)
    _feedback_and_actions(programme, activities, rng)
    _outcomes(programme)
    for title, body, told_on in STORIES:
        services.add_story(programme, title=title, body=body, told_on=told_on)
    return programme


def _participants(organisation: Organisation, rng: random.Random, count: int) -> list[dict]:
    """Pseudonymous people with fixed demographics (answers are frozen per response, but a
    person answers the same way each time)."""
    created = []
    for k in range(count):
        phone = f"62812{2026_0000 + k:08d}"
        digest = identity_hash(organisation.participant_salt, phone)  # already normalised: 62...
        created.append(
            Participant(organisation_id=organisation.id, identity_hash=digest, created_at=datetime(2026, 1, 1))
        )
    pseudonyms.add_all(created)  # the one scheme, unique in the organisation
    people = [{"id": p.id, "demo": _demographics(rng)} for p in created]
    db.session.commit()
    return people


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _demographics(rng: random.Random) -> dict[str, str]:
    return {dim: _pick(rng, w) for dim, w in SAMPLE_WEIGHTS.items()}


def _activities(programme: Programme, people: list[dict], rng: random.Random):
    activities = []
    for month in range(1, 12):
        for half, day in ((0, 6), (1, 20)):
            title, kind = ACTIVITIES[(month * 2 + half) % len(ACTIVITIES)]
            activity = services.create_activity(
                programme,
                title=title.format(rw=f"{(month % 8) + 1:02d}"),
                kind=kind,
                held_on=date(2026, month, day),
                place=f"Balai RW {(month % 8) + 1:02d}",
                head_count=rng.randint(25, 70),
            )
            activities.append(activity)
    # A core of regulars comes often; most people come once or twice: concentration has something to show.
    regulars = people[:40]
    rows = []
    for activity in activities:
        chosen = {p["id"] for p in rng.sample(regulars, rng.randint(6, 14))} | {
            p["id"] for p in rng.sample(people, rng.randint(3, 10))
        }
        channel = "list" if activity.kind == "service" else "qr"
        rows += [
            {
                "activity_id": activity.id,
                "participant_id": pid,
                "channel": channel,
                "checked_in_at": datetime.combine(activity.held_on, datetime.min.time()) + timedelta(hours=2),
            }
            for pid in sorted(chosen)
        ]
    db.session.execute(insert(Attendance), rows)
    db.session.commit()
    return activities


def _demo_survey(organisation: Organisation, kind: str) -> Survey:
    survey = (
        db.session.execute(
            db.select(Survey)
            .filter_by(organisation_id=organisation.id, kind=kind, is_template=False)
            .order_by(Survey.id)
        )
        .scalars()
        .first()
    )
    if survey is None or db.session.get(ProgrammeSurvey, survey.id) is not None:
        key = {"community_relations": "community_relations"}.get(kind, kind)
        survey = survey_services.create_from_template(organisation.id, None, key)
    return survey


def _second_wave(survey: Survey, title: str) -> Survey:
    copy = survey_services.duplicate(survey, None)
    copy.title = {
        "id": title,
        "en": title.replace("Survei Kepercayaan Warga", "Residents' trust survey")
        .replace("Survei Kepuasan Peserta", "Participant satisfaction survey")
        .replace("gelombang", "wave"),
    }
    db.session.commit()
    return copy


def _when(rng: random.Random, start: date, end: date) -> datetime:
    days = (end - start).days
    return datetime.combine(start + timedelta(days=rng.randint(0, days)), datetime.min.time()) + timedelta(
        hours=rng.randint(0, 14), minutes=rng.randint(0, 59)
    )


TEXTS = {
    "trust_comment": FEEDBACK_TEXTS["services"] + FEEDBACK_TEXTS["lighting"],
    "went_well": FEEDBACK_TEXTS["forum"][::2],
    "to_improve": FEEDBACK_TEXTS["forum"][1::2] + FEEDBACK_TEXTS["drainage"],
    "relations_comment": FEEDBACK_TEXTS["drainage"] + FEEDBACK_TEXTS["lighting"],
    "most_needed": FEEDBACK_TEXTS["drainage"],
}


def _responses(
    survey: Survey,
    people: list[dict],
    rng: random.Random,
    count: int,
    start: date,
    end: date,
    *,
    trust_shift: float = 0.0,
    sat_shift: float = 0.0,
    returning_from: list[int] | None,
    invitations: bool = False,
) -> list[int]:
    """Insert ``count`` complete responses with answers in bulk; returns the participant ids used."""
    questions = {q.code: q for q in survey.questions if q.retired_at is None}
    options = {code: {o.code: o for o in q.options if o.kind == "choice"} for code, q in questions.items()}
    by_id = {p["id"]: p for p in people}
    rows, plans, used = [], [], []
    for _ in range(count):
        person = None
        if not survey.anonymous and rng.random() < 0.7:
            if returning_from and rng.random() < 0.55:
                person = by_id[rng.choice(returning_from)]
            else:
                person = rng.choice(people)
        demo = person["demo"] if person else _demographics(rng)
        when = _when(rng, start, end)
        duration = int(rng.triangular(60, 900, 240))
        channel = rng.choices(["link", "qr", "paper", "kiosk"], weights=[50, 20, 18, 12])[0]
        if invitations and person and rng.random() < 0.35:
            channel = "invitation"
        rows.append(
            {
                "survey_id": survey.id,
                "submission_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "status": "complete",
                "channel": channel,
                "language": "id",
                "started_at": when - timedelta(seconds=duration),
                "submitted_at": when,
                "duration_seconds": duration,
                "participant_id": person["id"] if person else None,
                "flagged": False,
            }
        )
        plans.append((demo, person, when))
        if person:
            used.append(person["id"])
    ids = db.session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), rows).all()
    answers = []
    for response_id, (demo, _person, _planned) in zip(ids, plans):
        # Trust and satisfaction lean on the person's neighbourhood: RW 05 is less happy.
        mood = -1.0 if demo["neighbourhood"] == "rw_05" else 0.0
        for code, q in questions.items():
            role, opts = q.metric_role or "", options[code]
            # The made-up answers follow the shape of the type's results.
            qtype = get_type(q.type)
            family = qtype.summary_family
            if role.startswith("demographic:"):
                value = demo.get(role.split(":", 1)[1])
                if value in opts:
                    answers.append(
                        {
                            "response_id": response_id,
                            "question_id": q.id,
                            "option_id": opts[value].id,
                            "value_num": opts[value].value,
                        }
                    )
            elif family == "rating":
                base = 6.0 + trust_shift + mood if role.startswith("trust:") else 7.5 + sat_shift + mood
                answers.append(
                    {
                        "response_id": response_id,
                        "question_id": q.id,
                        "value_num": float(max(qtype.low, min(qtype.high, round(rng.gauss(base, 2.0))))),
                    }
                )
            elif family == "scale":
                level = max(1, min(5, round(rng.gauss(3.4 + sat_shift + trust_shift / 3 + mood / 2, 1.0))))
                opt = opts[str(level)]
                answers.append(
                    {"response_id": response_id, "question_id": q.id, "option_id": opt.id, "value_num": opt.value}
                )
            elif family == "choice" and opts:
                opt = rng.choice(list(opts.values()))
                answers.append(
                    {"response_id": response_id, "question_id": q.id, "option_id": opt.id, "value_num": opt.value}
                )
            elif qtype.uses_items:
                items = [o for o in q.options if o.kind == "item"]
                for item in items:
                    opt = opts[str(max(1, min(5, round(rng.gauss(3.6 + sat_shift, 0.9)))))]
                    answers.append(
                        {
                            "response_id": response_id,
                            "question_id": q.id,
                            "item_id": item.id,
                            "option_id": opt.id,
                            "value_num": opt.value,
                        }
                    )
            elif role == "feedback" and code in TEXTS and rng.random() < 0.22:
                answers.append({"response_id": response_id, "question_id": q.id, "value_text": rng.choice(TEXTS[code])})
    db.session.execute(insert(Answer), answers)
    if invitations:
        inv_rows = [
            {
                "survey_id": survey.id,
                "participant_id": row["participant_id"],
                "segments": {},
                "token_hash": hashlib.sha256(f"demo-{rid}".encode()).hexdigest(),
                "sent_at": row["submitted_at"] - timedelta(hours=rng.randint(2, 96)),
                "completed_at": row["submitted_at"],
                "response_id": rid,
                "created_at": row["submitted_at"] - timedelta(days=5),
                "reminder_count": 0,
            }
            for rid, row in zip(ids, rows)
            if row["channel"] == "invitation"
        ]
        if inv_rows:
            inv_ids = db.session.scalars(
                insert(SurveyInvitation).returning(SurveyInvitation.id, sort_by_parameter_order=True), inv_rows
            ).all()
            for inv_id, inv in zip(inv_ids, inv_rows):
                db.session.execute(
                    db.update(Response).where(Response.id == inv["response_id"]).values(invitation_id=inv_id)
                )
    db.session.commit()
    return used


def _feedback_and_actions(programme: Programme, activities, rng: random.Random) -> None:
    for month, texts in (
        (3, FEEDBACK_TEXTS["lighting"]),
        (8, FEEDBACK_TEXTS["drainage"]),
        (10, FEEDBACK_TEXTS["services"]),
    ):
        for k, text in enumerate(texts):
            services.add_feedback(
                programme, text=text, source="form", received_at=datetime(2026, month, 3 + k * 2, 3, 0)
            )
    for activity in activities[::3]:
        services.add_feedback(
            programme,
            text=rng.choice(FEEDBACK_TEXTS["forum"]),
            source="activity",
            activity=activity,
            received_at=datetime.combine(activity.held_on, datetime.min.time()) + timedelta(hours=5),
        )
    items = (
        db.session.execute(
            db.select(FeedbackItem).filter_by(programme_id=programme.id).order_by(FeedbackItem.received_at)
        )
        .scalars()
        .all()
    )
    topics = {topic: [i for i in items if i.text in texts] for topic, texts in FEEDBACK_TEXTS.items()}
    for topic, group in topics.items():
        for item in group:
            positive = any(w in item.text for w in ("terima kasih", "bagus", "Senang", "lebih cepat"))
            item.topic = topic
            item.sentiment = "positive" if positive else ("negative" if rng.random() < 0.7 else "neutral")
    db.session.commit()
    plans = [
        ("lighting", "Memasang 12 lampu jalan baru di RW 05 dan dekat musala.", "done", 35, "Seksi Pembangunan", True),
        (
            "drainage",
            "Mengeruk saluran air RT 03 bersama warga dalam kerja bakti.",
            "done",
            20,
            "Seksi Kebersihan",
            True,
        ),
        ("forum", "Memindahkan forum warga ke sore hari dan menambah kipas angin.", "done", 25, "Sekretariat", True),
        ("services", "Menambah satu loket layanan KTP pada hari Senin.", "in_progress", 15, "Pelayanan Umum", True),
        ("forum", "Mengirim undangan forum lewat WhatsApp seminggu sebelumnya.", "planned", 10, "Sekretariat", False),
    ]
    autumn = date(2026, 10, 1)
    for topic, description, status, days, team, published in plans:
        # One action for what was said before October, a follow-up for what came after.
        for group, follow_up in (
            ([i for i in topics[topic] if i.received_at.date() < autumn], False),
            ([i for i in topics[topic] if autumn <= i.received_at.date() < date(2026, 11, 15)], True),
        ):
            if not group:
                continue
            first = min(i.received_at for i in group).date()
            services.add_action(
                programme,
                group,
                description=("Tindak lanjut: " if follow_up else "") + description,
                status="in_progress" if follow_up else status,
                action_date=min(first + timedelta(days=days // (3 if follow_up else 1)), date(2026, 11, 25)),
                team=team,
                published=published,
            )


def _outcomes(programme: Programme) -> None:
    water = services.create_indicator(
        programme, code="clean_water", name="Rumah tangga dengan akses air bersih", unit="%", baseline=62, target=80
    )
    lights = services.create_indicator(
        programme, code="street_lights", name="Lampu jalan yang menyala", unit="titik", baseline=40, target=90
    )
    for observed, w, lamp in (
        (date(2026, 3, 31), 64, 44),
        (date(2026, 6, 30), 68, 58),
        (date(2026, 9, 30), 71, 70),
        (date(2026, 11, 15), 74, 79),
    ):
        services.add_indicator_value(water, observed_on=observed, value=w, note=None)
        services.add_indicator_value(lights, observed_on=observed, value=lamp, note=None)
