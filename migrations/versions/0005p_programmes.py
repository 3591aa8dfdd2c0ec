"""Add engagement programmes: linked surveys, population margins, activities and
attendance, feedback and follow-up actions, outcome indicators and stories

Revision ID: 0005p
Revises: 0002
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005p"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("area", sa.String(length=160), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("community_size", sa.Integer(), nullable=True),
        sa.Column("public_token", sa.String(length=32), nullable=False),
        sa.Column("public_page_enabled", sa.Boolean(), nullable=False),
        sa.Column("feedback_form_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_programmes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("public_token", name=op.f("uq_programmes_public_token")),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programmes_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=160), nullable=True),
        sa.Column("head_count", sa.Integer(), nullable=True),
        sa.Column("checkin_token", sa.String(length=32), nullable=False),
        sa.Column("checkin_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_activities_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_activities_programme_id_programmes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("checkin_token", name=op.f("uq_activities_checkin_token")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_activities_programme_held", ["programme_id", "held_on"], unique=False)

    op.create_table(
        "follow_up_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("action_date", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_follow_up_actions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_follow_up_actions_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_actions")),
    )
    with op.batch_alter_table("follow_up_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_actions_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_actions_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "outcome_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("baseline", sa.Double(), nullable=True),
        sa.Column("target", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_outcome_indicators_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_outcome_indicators_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_indicators")),
        sa.UniqueConstraint("programme_id", "code", name=op.f("uq_outcome_indicators_programme_id_code")),
    )
    with op.batch_alter_table("outcome_indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_indicators_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "programme_populations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=48), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_populations_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_populations")),
        sa.UniqueConstraint(
            "programme_id",
            "dimension",
            "category",
            name=op.f("uq_programme_populations_programme_id_dimension_category"),
        ),
    )
    with op.batch_alter_table("programme_populations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_populations_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_attendances_activity_id_activities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_attendances_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("activity_id", "participant_id", name=op.f("uq_attendances_activity_id_participant_id")),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index("ix_attendances_participant", ["participant_id"], unique=False)

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("note", sa.String(length=240), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["outcome_indicators.id"],
            name=op.f("fk_indicator_values_indicator_id_outcome_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
    )
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_values_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "programme_stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("told_on", sa.Date(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_programme_stories_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_programme_stories_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_stories_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_stories")),
    )
    with op.batch_alter_table("programme_stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_stories_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_programme_stories_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "programme_surveys",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=64), nullable=True),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_programme_surveys_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_surveys_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_programme_surveys_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_programme_surveys")),
    )
    with op.batch_alter_table("programme_surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_surveys_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_programme_surveys_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "feedback_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("response_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("auto_positive", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_feedback_items_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_feedback_items_answer_id_answers"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_feedback_items_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_feedback_items_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_feedback_items_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name=op.f("fk_feedback_items_response_id_responses"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_items")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_feedback_items_answer_id")),
    )
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_items_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index("ix_feedback_items_programme_received", ["programme_id", "received_at"], unique=False)

    op.create_table(
        "feedback_actions",
        sa.Column("feedback_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["follow_up_actions.id"],
            name=op.f("fk_feedback_actions_action_id_follow_up_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback_items.id"],
            name=op.f("fk_feedback_actions_feedback_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", "action_id", name=op.f("pk_feedback_actions")),
    )
    with op.batch_alter_table("feedback_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_actions_action_id"), ["action_id"], unique=False)


def downgrade():
    with op.batch_alter_table("feedback_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_actions_action_id"))

    op.drop_table("feedback_actions")
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_items_programme_received")
        batch_op.drop_index(batch_op.f("ix_feedback_items_participant_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_organisation_id"))

    op.drop_table("feedback_items")
    with op.batch_alter_table("programme_surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_surveys_programme_id"))
        batch_op.drop_index(batch_op.f("ix_programme_surveys_activity_id"))

    op.drop_table("programme_surveys")
    with op.batch_alter_table("programme_stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_stories_programme_id"))
        batch_op.drop_index(batch_op.f("ix_programme_stories_organisation_id"))

    op.drop_table("programme_stories")
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_values_indicator_id"))

    op.drop_table("indicator_values")
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index("ix_attendances_participant")
        batch_op.drop_index(batch_op.f("ix_attendances_activity_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("programme_populations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_populations_programme_id"))

    op.drop_table("programme_populations")
    with op.batch_alter_table("outcome_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_indicators_organisation_id"))

    op.drop_table("outcome_indicators")
    with op.batch_alter_table("follow_up_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_actions_programme_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_actions_organisation_id"))

    op.drop_table("follow_up_actions")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_programme_held")
        batch_op.drop_index(batch_op.f("ix_activities_organisation_id"))

    op.drop_table("activities")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_organisation_id"))

    op.drop_table("programmes")
