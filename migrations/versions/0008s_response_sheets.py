"""Add responses.sheet: each complete response's answers in one JSON text, for fast exports

Revision ID: 0008s
Revises: 0007t
Create Date: 2026-12-02 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008s"
down_revision = "0007t"
branch_labels = None
depends_on = None

# The same sheet as surveyapp/responses/sheets.py makes (written out here so
# the migration does not change when the application does).
SHEET = {
    "postgresql": "CAST(json_agg(json_build_array(a.question_id, a.option_id, a.item_id, a.value_num, "
    "a.value_text)) AS TEXT)",
    "sqlite": "json_group_array(json_array(a.question_id, a.option_id, a.item_id, CASE WHEN a.value_num IS NULL "
    "THEN NULL ELSE printf('%!.17g', a.value_num) END, a.value_text))",
}


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns too): a
# batch migration would copy and drop ``responses`` on SQLite, and with
# foreign keys on, dropping it would cascade into ``answers``.
def upgrade():
    op.add_column("responses", sa.Column("sheet", sa.Text(), nullable=True))
    # Sheets for the complete responses already stored.
    sheet = SHEET[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE responses SET sheet = COALESCE((SELECT {sheet} FROM answers a "
        "WHERE a.response_id = responses.id), '[]') WHERE status = 'complete'"
    )


def downgrade():
    op.execute("ALTER TABLE responses DROP COLUMN sheet")
