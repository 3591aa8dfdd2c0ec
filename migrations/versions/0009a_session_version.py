"""Add users.session_version: logout and password resets end every session of the user

Revision ID: 0009a
Revises: 0008s
Create Date: 2026-12-09 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009a"
down_revision = "0008s"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, as in 0008s: a batch migration would
# copy and drop ``users`` on SQLite, and with foreign keys on, dropping it
# would cascade into memberships and everything else that names a user.
def upgrade():
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    op.execute("ALTER TABLE users DROP COLUMN session_version")
