"""Make participant pseudonyms unique per organisation: repair repeats, then add the constraint

Revision ID: 0009p
Revises: 0008s
Create Date: 2026-12-09 10:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009p"
down_revision = "0009a"
branch_labels = None
depends_on = None

# The scheme of surveyapp/participants/pseudonyms.py, written out here so the
# migration does not change when the application does.
PREFIX = "P-"
DIGITS = 10


def _new_pseudonym(taken):
    while True:
        candidate = PREFIX + secrets.token_hex(DIGITS // 2).upper()
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _repair_repeats(bind):
    """Every participant after the first (lowest id) with the same pseudonym
    in its organisation gets a new one; the first keeps it."""
    participants = sa.table(
        "participants",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("pseudonym", sa.String),
    )
    repeated = bind.execute(
        sa.select(participants.c.organisation_id, participants.c.pseudonym)
        .group_by(participants.c.organisation_id, participants.c.pseudonym)
        .having(sa.func.count() > 1)
    ).all()
    for organisation_id in sorted({organisation_id for organisation_id, _name in repeated}):
        taken = set(
            bind.execute(
                sa.select(participants.c.pseudonym).where(participants.c.organisation_id == organisation_id)
            ).scalars()
        )
        names = [name for org, name in repeated if org == organisation_id]
        for name in names:
            ids = (
                bind.execute(
                    sa.select(participants.c.id)
                    .where(participants.c.organisation_id == organisation_id, participants.c.pseudonym == name)
                    .order_by(participants.c.id)
                )
                .scalars()
                .all()
            )
            for participant_id in ids[1:]:
                bind.execute(
                    participants.update()
                    .where(participants.c.id == participant_id)
                    .values(pseudonym=_new_pseudonym(taken))
                )


def upgrade():
    _repair_repeats(op.get_bind())
    # Batch mode rebuilds the table on SQLite (env.py turns foreign keys off
    # meanwhile, so the rows that point at participants are kept).
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_participants_organisation_id_pseudonym"), ["organisation_id", "pseudonym"]
        )


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_participants_organisation_id_pseudonym"), type_="unique")
