"""the indicators an item keeps (its month tables in 進捗状況), stored per item

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-05 10:30:00

Until now the tables under an item were guessed from its KPIs and title. An item with no row
here still shows its KPIs' indicators (with their parts and family); once the user or an import
chooses, this table says which, in order. On a server a group writes the rows of its own items
(the rule of quarterly_status), an admin any.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
IS_ADMIN = "(SELECT public.branch_report_is_admin())"


def upgrade() -> None:
    op.create_table(
        'item_indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('indicator_code', sa.String(length=60), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('item_id', 'indicator_code'),
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        rule = f"{IS_ADMIN} OR public.branch_report_may_item(item_id)"
        for statement in (
                "ALTER TABLE item_indicator ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY br_read ON item_indicator FOR SELECT USING (true)",
                f"CREATE POLICY br_write ON item_indicator FOR ALL USING ({rule}) WITH CHECK ({rule})",
                "REVOKE ALL ON item_indicator FROM PUBLIC",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON item_indicator TO {USER}, {ADMIN}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}"):
            conn.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table('item_indicator')
