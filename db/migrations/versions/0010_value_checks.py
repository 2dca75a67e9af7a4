"""acknowledged plausibility warnings (点検の確認)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-05 10:40:00

A warning on a month's figure (app.core.plausibility) acknowledged by a person with a short
comment; it stays quiet while the figure is the value acknowledged. On PostgreSQL whoever may
write the figure (branch_report_may_indicator, 0006) may acknowledge it; everyone reads.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
IS_ADMIN = "(SELECT public.branch_report_is_admin())"


def upgrade() -> None:
    op.create_table('value_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('checked_by', sa.String(length=100), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_check')),
    sa.UniqueConstraint('branch_code', 'fiscal_year', 'month', 'indicator_code',
                        name=op.f('uq_value_check_branch_code_fiscal_year_month_indicator_code'))
    )
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    rule = f"{IS_ADMIN} OR public.branch_report_may_indicator(branch_code, indicator_code)"
    for statement in (
        "ALTER TABLE value_check ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY br_read ON value_check FOR SELECT USING (true)",
        f"CREATE POLICY br_write ON value_check FOR ALL USING ({rule}) WITH CHECK ({rule})",
        "REVOKE ALL ON value_check FROM PUBLIC",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON value_check TO {USER}, {ADMIN}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}",
    ):
        conn.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table('value_check')
