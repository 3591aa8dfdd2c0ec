"""Add the survey tally: running totals of complete responses for fast summaries

Revision ID: 0007t
Revises: 0006i
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007t"
down_revision = "0006i"
branch_labels = None
depends_on = None

UNFOLDED = "status = 'complete' AND tally_batch IS NULL"
HAS_TEXT = "value_text IS NOT NULL"


def _survey_fk(table):
    return sa.ForeignKeyConstraint(
        ["survey_id"], ["surveys.id"], name=op.f(f"fk_{table}_survey_id_surveys"), ondelete="CASCADE"
    )


def _question_fk(table):
    return sa.ForeignKeyConstraint(
        ["question_id"], ["questions.id"], name=op.f(f"fk_{table}_question_id_questions"), ondelete="CASCADE"
    )


def upgrade():
    op.create_table(
        "survey_tally_state",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("folded_at", sa.DateTime(), nullable=True),
        _survey_fk("survey_tally_state"),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_survey_tally_state")),
    )
    op.create_table(
        "survey_tally_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("has_value", sa.Boolean(), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _survey_fk("survey_tally_answers"),
        _question_fk("survey_tally_answers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_tally_answers")),
        sa.UniqueConstraint(
            "question_id", "item_id", "option_id", "has_value", "value_num", name="uq_survey_tally_answers_key"
        ),
    )
    with op.batch_alter_table("survey_tally_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_tally_answers_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_tally_questions",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.BigInteger(), nullable=False),
        sa.Column("texts", sa.BigInteger(), nullable=False),
        _survey_fk("survey_tally_questions"),
        _question_fk("survey_tally_questions"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_survey_tally_questions")),
    )
    with op.batch_alter_table("survey_tally_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_tally_questions_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_tally_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _survey_fk("survey_tally_responses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_tally_responses")),
        sa.UniqueConstraint("survey_id", "slot", "channel", "language", name="uq_survey_tally_responses_key"),
    )
    op.create_table(
        "survey_tally_durations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _survey_fk("survey_tally_durations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_tally_durations")),
        sa.UniqueConstraint("survey_id", "seconds", name="uq_survey_tally_durations_key"),
    )
    op.create_table(
        "survey_tally_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _survey_fk("survey_tally_words"),
        _question_fk("survey_tally_words"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_tally_words")),
        sa.UniqueConstraint("question_id", "word", name="uq_survey_tally_words_key"),
    )
    with op.batch_alter_table("survey_tally_words", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_tally_words_survey_id"), ["survey_id"], unique=False)

    # A plain ADD COLUMN (nullable, no default) is instant on both databases,
    # even with millions of responses; batch mode would copy the table.
    op.add_column("responses", sa.Column("tally_batch", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_responses_survey_unfolded",
        "responses",
        ["survey_id", "id"],
        unique=False,
        sqlite_where=sa.text(UNFOLDED),
        postgresql_where=sa.text(UNFOLDED),
    )
    op.create_index(
        "ix_answers_question_text",
        "answers",
        ["question_id", "id"],
        unique=False,
        sqlite_where=sa.text(HAS_TEXT),
        postgresql_where=sa.text(HAS_TEXT),
    )


def downgrade():
    op.drop_index("ix_answers_question_text", table_name="answers")
    op.drop_index("ix_responses_survey_unfolded", table_name="responses")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("tally_batch")
    for table in (
        "survey_tally_words",
        "survey_tally_durations",
        "survey_tally_responses",
        "survey_tally_questions",
        "survey_tally_answers",
        "survey_tally_state",
    ):
        op.drop_table(table)
