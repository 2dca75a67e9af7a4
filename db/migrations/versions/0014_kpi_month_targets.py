"""monthly targets of KPIs (月次目標)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05 14:30:00

Seed 002 prints a KPI's result beside the figure it should have reached by that month
(``被扶養者の特定健診実施率 10.1%（月次目標12.1%）``, ``健康宣言事業所数 1,272 事業所 (月次目標
1,280 事業所)``). ``kpi_month_target`` holds one figure per KPI and calendar month, in the KPI
indicator's unit (a KPI belongs to one fiscal year's plan, so the month names the year's month).

On PostgreSQL, as ``kpi_status`` in 0006: everyone reads them; whoever may write the KPI's item
(its group, or an admin) writes them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
IS_ADMIN = "(SELECT public.branch_report_is_admin())"


def upgrade() -> None:
    op.create_table('kpi_month_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_month_target_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_month_target')),
    sa.UniqueConstraint('kpi_id', 'month', name=op.f('uq_kpi_month_target_kpi_id_month'))
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        rule = f"{IS_ADMIN} OR public.branch_report_may_kpi(kpi_id)"
        for statement in (
            "ALTER TABLE kpi_month_target ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY br_read ON kpi_month_target FOR SELECT USING (true)",
            f"CREATE POLICY br_write ON kpi_month_target FOR ALL USING ({rule}) WITH CHECK ({rule})",
            "REVOKE ALL ON kpi_month_target FROM PUBLIC",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_month_target TO {USER}, {ADMIN}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}",
        ):
            conn.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table('kpi_month_target')
