"""The schema comes only from the migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from surveyapp import create_app
from surveyapp.extensions import db
from tests import factories


def test_migrated_database_matches_models(ctx):
    # The session database was built by `upgrade()` in conftest.
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_the_migrations_have_one_head():
    # Two branches written side by side each pass alone and leave `flask db
    # upgrade` refusing to run ("multiple heads") on every server.
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


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
        complete = [
            factories.respond(survey, data.FULL, sheet=None).id,
            factories.respond(survey, {"used": "no", "age": "0.5"}, sheet=None, check=False).id,
            factories.respond(survey, {}, sheet=None, check=False).id,
        ]
        partial = factories.respond(survey, {"used": "yes"}, status="partial").id
        expected = sheets.read(complete)
        db.session.remove()
        downgrade(revision="0007t")
        upgrade()
        stored = dict(
            db.session.execute(db.select(Response.id, Response.sheet).where(Response.sheet.is_not(None))).all()
        )
        assert stored == expected and partial not in stored
        rows = db.session.execute(
            db.select(db.func.count()).select_from(Answer).where(Answer.response_id == complete[0])
        ).scalar_one()
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
        factories.respond(survey, data.FULL)
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


def test_pseudonyms_migration_repairs_repeats_then_adds_the_constraint(tmp_path):
    """0009p: of participants sharing a pseudonym in one organisation, the
    first keeps it and each later one gets a new unique one; the same
    pseudonym in another organisation is left alone; then the database
    refuses a repeat."""
    import pytest
    from sqlalchemy import exc, text

    from surveyapp.orgs.models import Organisation
    from surveyapp.participants import queries as people
    from surveyapp.participants.models import Participant

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pseudonyms.db'}")
    with app.app_context():
        upgrade(revision="0008s")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (id, name, slug, timezone, default_language, "
                    "privacy_min_cell, participant_salt, created_at) VALUES "
                    "(1, 'Desa', 'desa', 'Asia/Jakarta', 'id', 5, 's1', '2026-01-01'), "
                    "(2, 'Kota', 'kota', 'Asia/Jakarta', 'id', 5, 's2', '2026-01-01')"
                )
            )
            for pid, org, name in [
                (1, 1, "P-7F3A2C"),
                (2, 1, "P-7F3A2C"),
                (3, 1, "P-7F3A2C"),
                (4, 1, "P-000001"),
                (5, 2, "P-7F3A2C"),
                (6, 1, "P-000001"),
            ]:
                connection.execute(
                    text(
                        "INSERT INTO participants (id, organisation_id, identity_hash, pseudonym, "
                        "created_at) VALUES (:id, :org, :hash, :name, '2026-01-01')"
                    ),
                    {"id": pid, "org": org, "hash": f"{pid:064x}", "name": name},
                )
        upgrade()
        names = dict(db.session.execute(db.select(Participant.id, Participant.pseudonym)).all())
        assert names[1] == names[5] == "P-7F3A2C" and names[4] == "P-000001"
        mine = [names[pid] for pid in (1, 2, 3, 4, 6)]
        assert len(set(mine)) == 5 and all(len(names[pid]) == 12 for pid in (2, 3, 6))
        # The owner's look-up by the old pseudonym finds the one participant.
        organisation = db.session.get(Organisation, 1)
        assert people.find(organisation, "p-7f3a2c").id == 1
        db.session.add(Participant(organisation_id=1, identity_hash="f" * 64, pseudonym="P-7F3A2C"))
        with pytest.raises(exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        unique = {tuple(u["column_names"]) for u in db.inspect(db.engine).get_unique_constraints("participants")}
        assert ("organisation_id", "pseudonym") in unique
        db.session.remove()
        db.engine.dispose()
