"""The schema comes only from the migrations, and they match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from surveyapp import create_app
from surveyapp.extensions import db


def test_migrated_database_matches_models(ctx):
    # The session database was built by `upgrade()` in conftest.
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade_on_empty_sqlite(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.db'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
        assert "answers" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'wal.db'}")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        db.engine.dispose()


def _migrated_with_a_survey():
    """Upgrade the app's (fresh) database and add an organisation with the
    every-question-type survey of tests/exports/data.py."""
    from surveyapp.orgs.models import Organisation
    from tests.exports import data

    upgrade()
    org = Organisation(name="Desa", slug="desa")
    db.session.add(org)
    db.session.commit()
    return data.survey(org)


def test_sheets_migration_fills_the_complete_responses_already_stored(tmp_path):
    """0008s makes the sheet of every complete response stored before it,
    exactly as the application makes them on the fly (responses/sheets.py)."""
    from surveyapp.responses import sheets
    from surveyapp.responses.models import Answer, Response
    from tests.exports import data

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'sheets.db'}")
    with app.app_context():
        survey = _migrated_with_a_survey()
        complete = [data.respond(survey, data.FULL, sheet=False).id,
                    data.respond(survey, {"used": "no", "age": "0.5"}, sheet=False).id,
                    data.respond(survey, {}, sheet=False).id]
        partial = data.respond(survey, {"used": "yes"}, status="partial").id
        expected = sheets.read(complete)
        db.session.remove()
        downgrade(revision="0007t")
        upgrade()
        stored = dict(db.session.execute(db.select(Response.id, Response.sheet)
                                         .where(Response.sheet.is_not(None))).all())
        assert stored == expected and partial not in stored
        rows = db.session.execute(db.select(db.func.count()).select_from(Answer)
                                  .where(Answer.response_id == complete[0])).scalar_one()
        assert len(sheets.decode(stored[complete[0]])) == rows > 10
        db.session.remove()
        db.engine.dispose()


def test_a_sqlite_downgrade_that_rebuilds_responses_keeps_the_answers(tmp_path):
    """Batch migrations rebuild a table on SQLite (copy, drop, rename); with
    foreign keys on, dropping ``responses`` would cascade into ``answers``."""
    from surveyapp.responses.models import Answer
    from tests.exports import data

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'down.db'}")
    with app.app_context():
        survey = _migrated_with_a_survey()
        data.respond(survey, data.FULL)
        before = db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar_one()
        db.session.remove()
        downgrade(revision="0006i")  # 0007t drops responses.tally_batch in batch mode
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM answers").scalar() == before > 10
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again afterwards
        upgrade()
        assert db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar_one() == before
        db.session.remove()
        db.engine.dispose()
