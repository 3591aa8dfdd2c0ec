"""Demo responses: plausible, valid, spread over channels and months, idempotent."""

from __future__ import annotations

from surveyapp.collect.models import SurveyInvitation
from surveyapp.demo import seed_demo
from surveyapp.distribute.demo import seed_responses
from surveyapp.extensions import db
from surveyapp.questions import get_type
from surveyapp.responses import answering
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.models import Question, Survey
from surveyapp.surveys.visibility import visible


def _summary():
    return db.session.execute(
        db.select(Response.survey_id, Response.channel, Response.status, db.func.count())
        .group_by(Response.survey_id, Response.channel, Response.status)
        .order_by(Response.survey_id, Response.channel, Response.status)
    ).all()


def test_seed_responses(ctx, monkeypatch):
    # seed-demo runs every demo step; here only the organisation and its
    # template surveys are wanted, so the response and programme steps wait.
    monkeypatch.setattr("surveyapp.distribute.demo.seed_responses", lambda organisation: 0)
    monkeypatch.setattr("surveyapp.programmes.demo.seed_programme", lambda organisation: None)
    organisation = seed_demo().organisation
    monkeypatch.undo()
    added = seed_responses(organisation)
    assert 1000 <= added <= 1400
    surveys = db.session.execute(db.select(Survey).where(Survey.organisation_id == organisation.id)).scalars().all()
    for survey in surveys:
        count = db.session.execute(
            db.select(db.func.count()).select_from(Response).where(Response.survey_id == survey.id)
        ).scalar_one()
        assert 150 <= count <= 400, (survey.kind, count)
    channels = {row[1] for row in _summary()}
    assert channels == {"link", "qr", "paper", "kiosk", "invitation"}
    statuses = dict(db.session.execute(db.select(Response.status, db.func.count()).group_by(Response.status)).all())
    assert 0.05 < statuses["partial"] / added < 0.2
    first, last = db.session.execute(
        db.select(db.func.min(Response.started_at), db.func.max(Response.started_at))
    ).one()
    assert (last - first).days > 90
    assert (
        db.session.execute(
            db.select(db.func.count())
            .select_from(Response)
            .where(Response.status == "complete", Response.submitted_at.is_(None))
        ).scalar_one()
        == 0
    )

    # Every stored answer is one the answering flow would accept and store.
    for survey in surveys:
        questions = {q.id: q for q in survey.questions}
        sample = db.session.execute(db.select(Response).where(Response.survey_id == survey.id).limit(40)).scalars()
        for response in sample:
            raws = answering.stored_raws(survey, response.id)
            shown = {q.code for p in visible(survey, raws) for q in p.questions}
            assert set(raws) <= shown
            for code, raw in raws.items():
                question = next(q for q in questions.values() if q.code == code)
                assert answering.error_for(question, raw) is None, (code, raw)
                if response.status == "complete":
                    pass
            if response.status == "complete":
                for entry in visible(survey, raws):
                    for question in entry.questions:
                        if question.required and get_type(question.type).takes_answer:
                            assert question.code in raws, (survey.kind, question.code)

    # Plausible: satisfaction mostly 4, police trusted less than community leaders.
    def mean(code):
        return db.session.execute(
            db.select(db.func.avg(Answer.value_num))
            .join(Question, Question.id == Answer.question_id)
            .where(Question.code == code)
        ).scalar_one()

    assert mean("trust_police") < mean("trust_local_government") < mean("trust_community_leaders")
    overall = db.session.execute(
        db.select(Answer.value_num, db.func.count())
        .join(Question, Question.id == Answer.question_id)
        .where(Question.code == "overall")
        .group_by(Answer.value_num)
        .order_by(db.func.count().desc())
    ).first()
    assert overall[0] == 4

    # Invitations for response rates, with participants shared across surveys.
    invited, completed = db.session.execute(
        db.select(db.func.count(), db.func.count(SurveyInvitation.completed_at))
    ).one()
    assert invited == 70 * len(surveys) and 0 < completed < invited
    linked = db.session.execute(
        db.select(db.func.count())
        .select_from(Response)
        .where(Response.channel == "invitation", Response.status == "complete", Response.participant_id.is_not(None))
    ).scalar_one()
    assert linked == completed
    repeat = db.session.execute(
        db.select(Response.participant_id)
        .where(Response.participant_id.is_not(None))
        .group_by(Response.participant_id)
        .having(db.func.count(db.distinct(Response.survey_id)) > 1)
    ).all()
    assert repeat

    # Idempotent.
    before = _summary()
    assert seed_responses(organisation) == 0
    assert _summary() == before
