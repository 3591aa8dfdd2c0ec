"""Add answer sheets: each complete response's answers in one JSON text, for fast exports

Revision ID: 0008s
Revises: 0007t
Create Date: 2026-12-02 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008s'
down_revision = '0007t'
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


def upgrade():
    op.create_table('answer_sheets',
    sa.Column('response_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False,
              nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answer_sheets_response_id_responses'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_answer_sheets'))
    )
    # Sheets for the complete responses already stored.
    sheet = SHEET[op.get_bind().dialect.name]
    op.execute(f"INSERT INTO answer_sheets (response_id, answers) SELECT r.id, {sheet} FROM responses r "
               "LEFT JOIN answers a ON a.response_id = r.id WHERE r.status = 'complete' GROUP BY r.id")


def downgrade():
    op.drop_table('answer_sheets')
