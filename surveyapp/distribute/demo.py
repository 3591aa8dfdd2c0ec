"""Demo responses for the demo organisation's open surveys.

``seed_responses`` fills each open survey that has no response yet with a
few hundred plausible responses spread over the last five months, across
channels (link, QR, paper, kiosk, personal invitation) and the demographic
block, with some partial responses and invited contacts (for response
rates). Deterministic (``random.Random(2026)``), bulk inserted, idempotent.
Answer rows are made by each question type's ``to_rows`` from raw answers
in the form shapes, and skip logic is applied, so they are exactly what
the answering flow would store.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from ..collect.models import SurveyInvitation
from ..database import utcnow
from ..extensions import db
from ..orgs.models import Organisation
from ..participants.services import get_or_create_all
from ..questions import get_type
from ..responses import tokens
from ..responses.models import Answer, Channel, Response, ResponseStatus
from ..security import hash_token
from ..surveys.models import Question, Survey, SurveyStatus
from ..surveys.visibility import active_pages, visible

SIZES = {"needs_assessment": 240, "satisfaction": 180, "trust": 260, "community_relations": 200, "quick_poll": 320}
CHANNELS = [
    (Channel.LINK.value, 40),
    (Channel.QR.value, 22),
    (Channel.PAPER.value, 16),
    (Channel.KIOSK.value, 10),
    (Channel.INVITATION.value, 12),
]
PARTIAL_SHARE = 0.12
DAYS_BACK = 150
INVITED = 70
# Demographic block: plausible for an urban kelurahan in Java.
DEMOGRAPHICS = {
    "age_band": {"under_18": 4, "18_29": 24, "30_44": 33, "45_59": 26, "60_plus": 13},
    "gender": {"female": 53, "male": 44, "prefer_not_to_say": 3},
    "neighbourhood": {
        "rw_01": 16,
        "rw_02": 14,
        "rw_03": 15,
        "rw_04": 12,
        "rw_05": 13,
        "rw_06": 10,
        "rw_07": 9,
        "rw_08": 8,
        "outside": 3,
    },
    "disability": {"no": 90, "yes": 6, "prefer_not_to_say": 4},
    "home_language": {"indonesian": 55, "javanese": 26, "sundanese": 15, "other": 4},
}
CHOICE_WEIGHTS = {
    "overall": {"1": 3, "2": 7, "3": 18, "4": 47, "5": 25},
    "uses_puskesmas": {"yes": 68, "no": 32},
    "puskesmas_ease": {"very_difficult": 6, "difficult": 22, "easy": 52, "very_easy": 20},
    "puskesmas_reason": {
        "not_needed": 30,
        "too_far": 18,
        "cost": 10,
        "opening_hours": 14,
        "waiting": 16,
        "prefer_other": 10,
        "other": 2,
    },
    "water_source": {"piped": 38, "well": 30, "refill": 26, "spring_river": 4, "other": 2},
    "neighbour_contact": {"daily": 38, "weekly": 34, "monthly": 14, "rarely": 11, "never": 3},
    "meeting_day": {
        "monday": 6,
        "tuesday": 5,
        "wednesday": 7,
        "thursday": 6,
        "friday": 12,
        "saturday": 34,
        "sunday": 30,
    },
    "join_interest": {"yes": 58, "no": 42},
}
# Mean of 0-10 trust ratings: police lowest, community leaders highest.
TRUST_MEANS = {
    "trust_local_government": 6.1,
    "trust_community_leaders": 7.3,
    "trust_police": 4.6,
    "trust_local_organisations": 6.6,
}
LIKERT_MEANS = {
    "lg_fairness": 3.0,
    "lg_responsiveness": 2.8,
    "lg_transparency": 2.7,
    "belonging": 3.9,
    "help_neighbours": 4.0,
    "trust_neighbours": 3.6,
    "get_along": 3.9,
    "count_on_neighbours": 3.7,
}
SEVERITY_MEANS = {
    "clean_water": 2.3,
    "drainage": 3.2,
    "waste": 3.0,
    "roads": 2.6,
    "street_lighting": 2.4,
    "security": 1.9,
    "health_services": 2.0,
    "schools": 1.7,
}
PRIORITY_WEIGHTS = {
    "clean_water": 14,
    "drainage": 22,
    "waste": 18,
    "roads": 12,
    "street_lighting": 8,
    "security": 6,
    "health_services": 9,
    "schools": 4,
    "jobs_income": 16,
}
GROUP_WEIGHTS = {
    "arisan": 30,
    "religious": 45,
    "karang_taruna": 10,
    "pkk": 22,
    "posyandu": 14,
    "sports": 9,
    "kerja_bakti": 26,
    "other": 3,
}
TEXTS = {
    "most_needed": [
        "Saluran air sering mampet kalau hujan deras.",
        "Tempat sampah di dekat pasar kurang.",
        "Lampu jalan di gang RW 05 banyak yang mati.",
        "Air PAM sering tidak mengalir pagi hari.",
        "Perlu pelatihan usaha untuk ibu-ibu.",
        "Jalan di depan sekolah berlubang.",
        "Posyandu perlu buka lebih sering.",
        "Lapangan untuk anak-anak bermain.",
    ],
    "went_well": [
        "Narasumbernya jelas dan ramah.",
        "Tempatnya nyaman.",
        "Acara mulai tepat waktu.",
        "Materinya bermanfaat untuk usaha saya.",
        "Banyak kesempatan bertanya.",
    ],
    "to_improve": [
        "Undangan datang terlalu mendadak.",
        "Suara pengeras kurang jelas.",
        "Waktunya terlalu singkat.",
        "Konsumsi kurang.",
        "Mohon diadakan di hari Sabtu.",
    ],
    "trust_comment": [
        "Pelayanan di kantor kelurahan sudah lebih cepat.",
        "Laporan warga jarang ditindaklanjuti.",
        "Patroli malam perlu ditambah.",
        "Informasi anggaran perlu diumumkan.",
    ],
    "relations_comment": [
        "Kerja bakti bulanan membuat warga lebih akrab.",
        "Banyak pendatang baru yang belum kenal.",
        "Perlu kegiatan untuk pemuda.",
    ],
    "problem_other": ["Banjir kiriman", "Parkir liar", "Anjing liar", "Polusi pabrik"],
}
OTHER_TEXTS = {
    "home_language": "Bahasa Batak",
    "puskesmas_reason": "Sudah punya BPJS di klinik lain",
    "water_source": "Air hujan",
}
NAMES = [
    "Siti",
    "Budi",
    "Dewi",
    "Agus",
    "Rina",
    "Joko",
    "Ani",
    "Eko",
    "Sri",
    "Wahyu",
    "Lina",
    "Rudi",
    "Yuni",
    "Hadi",
    "Nur",
    "Tono",
    "Ratna",
    "Dedi",
    "Wati",
    "Bambang",
]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _around(rng: random.Random, mean: float, spread: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(rng.gauss(mean, spread)))))


class _Demo:
    """The made-up answer patterns the question types draw on
    (questions.base.DemoSource), by question code; ``kind`` is the
    survey's kind."""

    def __init__(self, rng: random.Random, kind: str):
        self.rng, self.kind = rng, kind

    def around(self, mean: float, spread: float, low: int, high: int) -> int:
        return _around(self.rng, mean, spread, low, high)

    def pick(self, weights: dict[str, float]) -> str:
        return _pick(self.rng, weights)

    def one_of(self, question: Question, codes: list[str]) -> str:
        code = question.code
        if code in DEMOGRAPHICS:
            return _pick(self.rng, DEMOGRAPHICS[code])
        if code in CHOICE_WEIGHTS:
            return _pick(self.rng, CHOICE_WEIGHTS[code])
        if code in LIKERT_MEANS:
            return str(_around(self.rng, LIKERT_MEANS[code], 0.9, 1, 5))
        return self.rng.choice(codes)

    def several(self, question: Question, codes: list[str]) -> dict:
        rng = self.rng
        if question.code == "group_membership" and rng.random() < 0.12:
            return {"choices": ["none"], "other": ""}
        weights = {c: GROUP_WEIGHTS.get(c, 5) for c in codes if c != "none"}
        chosen = sorted(set(rng.choices(list(weights), weights=list(weights.values()), k=rng.randint(1, 3))))
        return {"choices": chosen, "other": "Majelis taklim" if "other" in chosen else ""}

    def other_text(self, question: Question) -> str:
        return OTHER_TEXTS.get(question.code, "Lainnya")

    def mean(self, question: Question, default: float) -> float:
        return TRUST_MEANS.get(question.code, default)

    def item_mean(self, question: Question, item: str, default: float) -> float:
        means = SEVERITY_MEANS if self.kind == "needs_assessment" else {}
        return means.get(item, default)

    def priorities(self, question: Question, codes: list[str]) -> dict[str, float]:
        return {c: PRIORITY_WEIGHTS.get(c, 5) for c in codes}

    def texts(self, question: Question) -> list[str]:
        return TEXTS.get(question.code) or []

    def today(self):
        return utcnow().date()


def _raw(rng: random.Random, question: Question, kind: str):
    """A plausible raw answer in the form shape of the question's type, or None to skip."""
    return get_type(question.type).demo_answer(question, _Demo(rng, kind))


def _answers(rng: random.Random, survey: Survey) -> dict:
    """Raw answers in survey order, each question answered only if visible."""
    raws: dict = {}
    for _page, questions in active_pages(survey):
        for question in questions:
            if get_type(question.type).takes_answer:
                value = _raw(rng, question, survey.kind)
                if value is not None:
                    raws[question.code] = value
    shown = {q.code for p in visible(survey, raws) for q in p.questions}
    return {code: raw for code, raw in raws.items() if code in shown}


def _when(rng: random.Random, now: datetime) -> datetime:
    # More answers soon after launch and around a mid-campaign push.
    days = rng.choice([rng.uniform(0, DAYS_BACK), rng.triangular(60, DAYS_BACK, DAYS_BACK - 10), rng.uniform(20, 45)])
    start = now - timedelta(days=days)
    return start.replace(
        hour=rng.choice([7, 8, 9, 10, 12, 15, 16, 19, 20, 21]),
        minute=rng.randint(0, 59),
        second=rng.randint(0, 59),
        microsecond=0,
    )


def _people(organisation: Organisation, rng: random.Random):
    """A pool of demo residents (participants) shared by all surveys, so the
    same people are invited again and their engagement can be counted."""
    pool = [
        (
            f"{NAMES[i % len(NAMES)]} {chr(65 + i // len(NAMES))}.",
            f"warga{i:03d}@contoh.id",
            f"0812{rng.randint(1000000, 9999999)}",
        )
        for i in range(120)
    ]
    people = get_or_create_all(organisation, [(email, None) for _n, email, _p in pool])
    db.session.flush()
    return list(zip(pool, people))


def seed_responses(organisation: Organisation) -> int:
    """Fill the organisation's open surveys that have no responses; returns
    how many responses were added (0 when there was nothing to do)."""
    rng = random.Random(2026)
    surveys = (
        db.session.execute(
            db.select(Survey)
            .where(
                Survey.organisation_id == organisation.id,
                Survey.is_template.is_(False),
                Survey.status == SurveyStatus.OPEN.value,
            )
            .order_by(Survey.id)
        )
        .scalars()
        .all()
    )
    now = utcnow().replace(microsecond=0)
    pool = None
    added = 0
    for survey in surveys:
        has_any = db.session.execute(db.select(Response.id).where(Response.survey_id == survey.id).limit(1)).first()
        if has_any:
            continue
        pool = pool or _people(organisation, rng)
        added += _seed_survey(survey, rng, now, pool)
    db.session.commit()
    return added


def _seed_survey(survey: Survey, rng: random.Random, now: datetime, pool) -> int:
    size = SIZES.get(survey.kind, 150)
    pages = active_pages(survey)
    questions = {q.code: q for _p, qs in pages for q in qs}
    page_of = {q.code: index + 1 for index, (_p, qs) in enumerate(pages) for q in qs}
    invited = rng.sample(pool, min(INVITED, len(pool)))
    invitations = []
    for (name, email, _phone), person in invited:
        invitation = SurveyInvitation(
            survey_id=survey.id,
            participant_id=person.id,
            name=name,
            email=email,
            phone=None,
            segments={"rw": rng.choice(["01", "02", "03", "04", "05", "06", "07", "08"])},
            token_hash=hash_token(str(uuid.UUID(int=rng.getrandbits(128)))),
            created_at=now - timedelta(days=DAYS_BACK + 2),
            sent_at=now - timedelta(days=DAYS_BACK + 1),
        )
        invitations.append(invitation)
    db.session.add_all(invitations)
    db.session.flush()
    from .invitations import new_link_token

    for invitation in invitations:
        invitation.token_hash = hash_token(new_link_token(invitation))
    rows, answer_sets, invitation_updates = [], [], []
    free_invitations = list(invitations)
    rng.shuffle(free_invitations)
    for _index in range(size):
        channel = _pick(rng, dict(CHANNELS))
        invitation = None
        if channel == Channel.INVITATION.value:
            if not free_invitations:
                channel = Channel.LINK.value
            else:
                invitation = free_invitations.pop()
        started = _when(rng, now)
        duration = int(rng.lognormvariate(5.6, 0.45)) if survey.kind != "quick_poll" else rng.randint(4, 30)
        raws = _answers(rng, survey)
        partial = rng.random() < PARTIAL_SHARE and len(pages) > 1
        last_page = len(pages)
        if partial:
            last_page = rng.randint(1, len(pages) - 1)
            raws = {code: raw for code, raw in raws.items() if page_of[code] <= last_page}
        submission_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        submitted = None if partial else min(now, started + timedelta(seconds=duration))
        rows.append(
            {
                "survey_id": survey.id,
                "submission_id": submission_id,
                "status": ResponseStatus.PARTIAL.value if partial else ResponseStatus.COMPLETE.value,
                "channel": channel,
                "language": "en" if rng.random() < 0.08 else survey.default_language,
                "started_at": started,
                "submitted_at": submitted,
                "duration_seconds": None if partial else duration,
                "last_page": last_page,
                "participant_id": invitation.participant_id if invitation and not survey.anonymous else None,
                "invitation_id": invitation.id if invitation and not survey.anonymous else None,
                "resume_token_hash": tokens.resume_token_hash(tokens.resume_token(submission_id)),
                "flagged": False,
            }
        )
        answer_sets.append(raws)
        if invitation is not None:
            invitation_updates.append((invitation, started, submitted))
    db.session.execute(insert(Response), rows)
    ids = dict(
        db.session.execute(db.select(Response.submission_id, Response.id).where(Response.survey_id == survey.id)).all()
    )
    answer_rows = []
    for row, raws in zip(rows, answer_sets):
        response_id = ids[row["submission_id"]]
        for code, raw in raws.items():
            question = questions[code]
            for answer in get_type(question.type).to_rows(question, raw):
                answer_rows.append(
                    {
                        "response_id": response_id,
                        "question_id": question.id,
                        "option_id": answer.option_id,
                        "item_id": answer.item_id,
                        "value_num": answer.value_num,
                        "value_text": answer.value_text,
                    }
                )
    for start in range(0, len(answer_rows), 2000):
        db.session.execute(insert(Answer), answer_rows[start : start + 2000])
    for invitation, started, submitted in invitation_updates:
        invitation.opened_at = started - timedelta(minutes=rng.randint(0, 600))
        invitation.started_at = started
        invitation.completed_at = submitted
        if submitted is not None and not survey.anonymous:
            invitation.response_id = next(ids[r["submission_id"]] for r in rows if r["invitation_id"] == invitation.id)
    # Some invited people opened the link but never answered; some got a reminder.
    for invitation in free_invitations:
        if rng.random() < 0.25:
            invitation.opened_at = now - timedelta(days=rng.uniform(1, DAYS_BACK))
        if rng.random() < 0.6:
            invitation.reminder_count = rng.randint(1, 2)
            invitation.last_reminded_at = now - timedelta(days=rng.uniform(1, 60))
    return len(rows)
