"""The tally (analytics/tally.py): the summary read from folded totals is the
summary the live GROUP BYs give, however the folds fall; folds count every
response once, even in parallel; reads do not grow with the responses."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from surveyapp.analytics import cache, queries, tally
from surveyapp.analytics.filters import ALL_STATUSES, Filters
from surveyapp.analytics.models import TallyAnswer, TallyState, TallyWord
from surveyapp.analytics.summary import build_summary
from surveyapp.extensions import db
from surveyapp.responses.models import Response
from surveyapp.surveys import services
from tests import factories
from tests.concurrency import run_concurrently
from tests.results import builders as b

NOW = datetime(2026, 3, 20, 12, 0)
TEXTS = [
    "Jalan rusak di RW 3",
    "Lampu jalan mati, tidak aman",
    "Air bersih kurang!",
    "Puas sekali",
    "pelayanan cepat dan ramah",
    "Sampah menumpuk; banjir",
    "don't know",
    "anak-anak butuh taman",
    "Ä Ölçü ünlü çiçek",
    "x " + "a" * 80,
    "",
    "JALAN jalan Jalan",
]


def random_answer(rng: random.Random) -> dict:
    """Answers to every question family, each sometimes skipped."""
    answer = {
        "gender": rng.choice(["f", "m"]),
        "rw": rng.choice(["rw1", "rw2", "rw3"]),
        "services": sorted(rng.sample(["clinic", "school", "market"], rng.randint(1, 3))),
        "overall": str(rng.choices([1, 2, 3, 4, 5], [1, 2, 3, 5, 4])[0]),
        "aspects": {"speed": str(rng.randint(1, 5)), "staff": str(rng.randint(2, 5))},
        "recommend": rng.randint(0, 10),
        "trust_police": rng.randint(0, 10),
        "stars": rng.randint(1, 5),
        "priorities": dict(zip(rng.sample(["roads", "water", "light"], 3), [1, 2, 3])),
        "age": rng.choice([rng.randint(17, 80), round(rng.uniform(17, 80), 1)]),
        "visit": (date(2026, 1, 1) + timedelta(days=rng.randint(0, 60))).isoformat(),
        "comment": rng.choice(TEXTS),
        "used": rng.choice(["yes", "no"]),
    }
    if rng.random() < 0.2:
        answer["services"] = (answer["services"] + ["other"], rng.choice(["posyandu", "pasar malam", "masjid"]))
    for code in list(answer):
        if rng.random() < 0.15:
            answer.pop(code)
    return answer


def respond(survey, rng: random.Random, status: str = "complete"):
    # Times spread over days and across local midnights; durations repeat.
    when = datetime(2026, 3, 1) + timedelta(minutes=rng.randint(0, 60 * 24 * 12))
    answer = random_answer(rng)
    codes = {q.code: q for q in survey.questions}
    answer = {code: value for code, value in answer.items() if code in codes}  # after deletions
    if "services" in answer:
        known = {o.code for o in codes["services"].options}
        chosen, other = answer["services"] if isinstance(answer["services"], tuple) else (answer["services"], None)
        chosen = [c for c in chosen if c in known] or ["clinic"]
        answer["services"] = {"choices": chosen, "other": other} if other else chosen
    return factories.respond(
        survey,
        answer,
        status=status,
        submitted_at=when,
        duration=rng.choice([None, 30, 61, 61, 300, rng.randint(20, 2000)]),
        channel=rng.choice(["link", "qr", "paper"]),
        language=rng.choice(["id", "en"]),
        commit=False,
        check=False,
    )


def complete(response: Response, when: datetime) -> None:
    """What responses/services does when a partial response is finished."""
    db.session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(status="complete", submitted_at=when, duration_seconds=95)
    )


def both(survey, **kwargs) -> tuple[dict, dict]:
    db.session.expire_all()
    tally.fold(survey.id)  # the completion job's fold: a summary never folds (tests/crawl/test_reads_only_read.py)
    from_tally = build_summary(survey, now=NOW, **kwargs)
    db.session.expire_all()
    live = build_summary(survey, now=NOW, live=True, **kwargs)
    return from_tally, live


def assert_same(survey) -> dict:
    from_tally, live = both(survey)
    from_tally.pop("generated_at"), live.pop("generated_at")
    assert json.dumps(from_tally, sort_keys=True) == json.dumps(live, sort_keys=True)
    pending = db.session.execute(
        select(func.count()).where(
            Response.survey_id == survey.id, Response.status == "complete", Response.tally_batch.is_(None)
        )
    ).scalar()
    assert pending == 0  # the tally path folded everything it reported
    return from_tally


@pytest.mark.parametrize(
    "seed,timezone", [(1, "Asia/Jakarta"), (2, "Asia/Kolkata"), (3, "Asia/Kathmandu"), (4, "Asia/Makassar")]
)
def test_tally_summary_equals_live_summary(ctx, seed, timezone):
    rng = random.Random(seed)
    org = factories.organisation(f"Desa {seed}", timezone=timezone)
    survey = b.survey(org)
    partials = []
    for _round in range(5):
        for _ in range(rng.randint(5, 40)):
            response = respond(survey, rng, status="partial" if rng.random() < 0.15 else "complete")
            if response.status == "partial":
                partials.append(response)
        if partials and rng.random() < 0.6:  # a partial response finished after earlier folds
            complete(partials.pop(), datetime(2026, 3, 10, 23, 50))
        db.session.commit()
        if rng.random() < 0.5:
            tally.fold(survey.id, chunk=rng.choice([3, 7, 50]))  # a fold at a random point, in chunks
        doc = assert_same(survey)
    assert doc["n"] == tally.state(survey.id)[0] > 0
    assert {q["family"] for q in doc["questions"]} >= {
        "choice",
        "multi",
        "scale",
        "matrix",
        "rating",
        "ranking",
        "number",
        "date",
        "text",
    }
    comment = next(q for q in doc["questions"] if q["code"] == "comment")
    assert comment["words"]["sample_limit"] is None and comment["words"]["sample_size"] == comment["n"]
    assert all(len(w["word"]) <= 64 for w in comment["words"]["items"])
    # The view with partial responses and filtered views stay live.
    from_tally, live = both(survey, filters=Filters(statuses=ALL_STATUSES, timezone=timezone))
    assert from_tally == live


def test_deleting_options_and_questions_after_folding(ctx):
    rng = random.Random(11)
    survey = b.survey(factories.organisation())
    for _ in range(30):
        respond(survey, rng)
    db.session.commit()
    assert_same(survey)
    generation = tally.state(survey.id)[1]

    # An option nobody chose is deleted by the builder: the tally stays valid.
    rw = next(q for q in survey.questions if q.code == "rw")
    services.set_options(
        rw,
        [{"code": o.code, "label": o.label, "value": o.value} for o in rw.options if o.code != "rw3"]
        + [{"code": "rw4", "label": {"id": "RW 4", "en": "RW 4"}}],
    )
    services.set_options(
        rw, [{"code": o.code, "label": o.label, "value": o.value} for o in rw.options if o.code != "rw4"]
    )
    assert tally.state(survey.id)[1] == generation
    assert_same(survey)

    # An answered option and an answered question disappear (as a raced
    # delete would, past the builder's checks): the versioning hook's
    # subscriber resets the tally and the summary refolds.
    school = next(o for q in survey.questions if q.code == "services" for o in q.options if o.code == "school")
    db.session.delete(school)
    stars = next(q for q in survey.questions if q.code == "stars")
    db.session.delete(stars)
    db.session.commit()
    db.session.expire_all()
    assert tally.state(survey.id)[1] > generation
    for _ in range(10):
        respond(survey, rng)
    db.session.commit()
    doc = assert_same(survey)
    assert "stars" not in {q["code"] for q in doc["questions"]}


def test_builder_deletes_an_unanswered_question_without_reset(ctx):
    rng = random.Random(5)
    survey = b.survey(factories.organisation())
    for _ in range(12):
        respond(survey, rng)
    db.session.commit()
    page = survey.pages[0]
    extra = services.add_question(page, type_name="short_text", code="extra", title={"id": "X", "en": "X"})
    tally.fold(survey.id)
    generation = tally.state(survey.id)[1]
    assert services.delete_question(extra) == "deleted"
    assert tally.state(survey.id)[1] == generation
    assert_same(survey)


def test_deleting_the_survey_removes_its_tally(ctx):
    rng = random.Random(3)
    survey = b.survey(factories.organisation())
    for _ in range(5):
        respond(survey, rng)
    db.session.commit()
    tally.fold(survey.id)
    assert db.session.execute(select(func.count()).select_from(TallyAnswer)).scalar() > 0
    services.delete(survey)
    for model in (TallyAnswer, TallyWord, TallyState):
        assert db.session.execute(select(func.count()).select_from(model)).scalar() == 0


def test_rebuild_gives_the_same_totals(ctx):
    rng = random.Random(8)
    survey = b.survey(factories.organisation())
    for _ in range(25):
        respond(survey, rng)
    db.session.commit()
    first = assert_same(survey)
    assert tally.rebuild(survey.id) == 25
    assert tally.state(survey.id)[0] == 25
    db.session.expire_all()
    again = build_summary(survey, now=NOW)
    first.pop("generated_at", None), again.pop("generated_at")
    assert again == first


def test_tally_reads_a_fixed_number_of_statements(ctx):
    """Reading from the tally runs the same statements at 30 or 130
    responses, and only the text listings touch ``answers``."""
    rng = random.Random(9)
    survey = b.survey(factories.organisation())

    def summary_statements() -> list[str]:
        tally.fold(survey.id)
        db.session.expire_all()
        seen = []
        listener = lambda _c, _cur, statement, *_a: seen.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            build_summary(survey, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return seen

    for _ in range(30):
        respond(survey, rng)
    respond(survey, rng, status="partial")
    db.session.commit()
    small = summary_statements()
    for _ in range(100):
        respond(survey, rng)
    db.session.commit()
    large = summary_statements()
    assert len(large) == len(small) < 40
    touching_answers = [s for s in large if " answers" in s and "survey_tally" not in s]
    assert len(touching_answers) == 2  # latest comments, latest "other" texts


def test_fold_claims_once(ctx):
    rng = random.Random(4)
    survey = b.survey(factories.organisation())
    for _ in range(20):
        respond(survey, rng)
    db.session.commit()
    assert tally.fold(survey.id, chunk=6) == 20
    assert tally.fold(survey.id) == 0
    batches = db.session.execute(
        select(func.count(func.distinct(Response.tally_batch))).where(Response.survey_id == survey.id)
    ).scalar()
    assert batches == 4  # 6 + 6 + 6 + 2
    assert tally.state(survey.id)[0] == 20


def test_cache_key_follows_responses(ctx):
    rng = random.Random(6)
    survey = b.survey(factories.organisation())
    keys = [tally.cache_key(survey.id)]
    respond(survey, rng)
    db.session.commit()
    keys.append(tally.cache_key(survey.id))
    partial = respond(survey, rng, status="partial")
    db.session.commit()
    keys.append(tally.cache_key(survey.id))
    complete(partial, datetime(2026, 3, 3))
    db.session.commit()
    keys.append(tally.cache_key(survey.id))
    assert len(set(keys)) == 4
    tally.fold(survey.id)
    assert tally.cache_key(survey.id) == keys[-1]  # folding changes no figure, so no cache miss
    tally.reset(survey.id)
    db.session.commit()
    assert tally.cache_key(survey.id) != keys[-1]
    assert cache.state_key(survey.id)[:4] == tally.cache_key(survey.id)


def test_cli_folds_and_rebuilds(ctx, runner):
    rng = random.Random(2)
    survey = b.survey(factories.organisation())
    for _ in range(7):
        respond(survey, rng)
    db.session.commit()
    result = runner.invoke(args=["surveys", "tally", str(survey.id)])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(survey.id), "folded", "7", "total", "7"]
    result = runner.invoke(args=["surveys", "tally"])
    assert "folded 0\ttotal 7" in result.output
    result = runner.invoke(args=["surveys", "tally", str(survey.id), "--rebuild"])
    assert "folded 7\ttotal 7" in result.output
    result = runner.invoke(args=["surveys", "tally", "999999"])
    assert result.exit_code != 0 and "No survey" in result.output


def test_parallel_folds_count_every_response_once(app, ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers, so two folds cannot overlap; the race is PostgreSQL's")
    rng = random.Random(12)
    survey = b.survey(factories.organisation())
    for _ in range(400):
        respond(survey, rng)
    db.session.commit()
    survey_id = survey.id
    folded = run_concurrently(app, lambda: tally.fold(survey_id, chunk=37), 2)
    assert sum(folded) == 400
    assert tally.state(survey_id)[0] == 400
    db.session.expire_all()
    gender = db.session.execute(
        select(func.sum(TallyAnswer.count)).where(
            TallyAnswer.question_id == next(q.id for q in survey.questions if q.code == "gender")
        )
    ).scalar()
    live = db.session.execute(
        select(func.count())
        .select_from(queries.Answer)
        .where(queries.Answer.question_id == next(q.id for q in survey.questions if q.code == "gender"))
    ).scalar()
    assert gender == live
    assert_same(survey)
