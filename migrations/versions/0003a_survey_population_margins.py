"""Add population margins per survey for representation and weighting

Revision ID: 0003a
Revises: 0005p
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003a"
down_revision = "0005p"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survey_population_margins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=48), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_population_margins_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_population_margins")),
        sa.UniqueConstraint(
            "survey_id", "dimension", "category", name=op.f("uq_survey_population_margins_survey_id_dimension_category")
        ),
    )
    with op.batch_alter_table("survey_population_margins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_population_margins_survey_id"), ["survey_id"], unique=False)


def downgrade():
    with op.batch_alter_table("survey_population_margins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_population_margins_survey_id"))

    op.drop_table("survey_population_margins")
