"""rated rows: an item's sub-points, 【KPI】 and 【業績評価】 lines, each rated per quarter

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:30:00

Seed 004 rates rows, not items: each sub-point （１）（２）… of an item and each 【業績評価】 line has its
own progress text, rating and rank. ``rated_row`` holds an item's rows (position 1, 2, …) and
``row_status`` their quarters; ``kpi.row_id`` names the row a KPI belongs to.

Every item gets its first row (its plan text, its インセンティブ flag); every item status (text,
rating, rank, with its version, author and time) is copied to that row's quarter, and the item's
KPIs are linked to it. The item statuses stay as they are (the item's own rating is the user's
override of the rating its rows give), so nothing is lost and a downgrade loses nothing either.

On PostgreSQL the new tables get row-level security as in 0006: rows are the plan's (admins
write them), a row's quarter may be written by whoever may write its item's status.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
IS_ADMIN = "(SELECT public.branch_report_is_admin())"


def upgrade() -> None:
    op.create_table('rated_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('plan_text', sa.Text(), nullable=False),
    sa.Column('is_kpi', sa.Boolean(), nullable=False),
    sa.Column('is_performance', sa.Boolean(), nullable=False),
    sa.Column('is_incentive', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], name=op.f('fk_rated_row_item_id_plan_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rated_row')),
    sa.UniqueConstraint('item_id', 'position', name=op.f('uq_rated_row_item_id_position'))
    )
    op.create_table('row_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('progress_text', sa.Text(), nullable=False),
    sa.Column('rating', sa.String(length=1), nullable=True),
    sa.Column('national_rank', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['row_id'], ['rated_row.id'], name=op.f('fk_row_status_row_id_rated_row'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_row_status')),
    sa.UniqueConstraint('row_id', 'quarter', name=op.f('uq_row_status_row_id_quarter'))
    )
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_kpi_row_id_rated_row'), 'rated_row', ['row_id'], ['id'],
                                    ondelete='SET NULL')
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO rated_row (item_id, position, plan_text, is_kpi, is_performance, is_incentive) "
                         "SELECT id, 1, plan_text, :f, :f, incentive FROM plan_item"), {"f": False})
    conn.execute(sa.text("UPDATE kpi SET row_id = (SELECT r.id FROM rated_row r WHERE r.item_id = kpi.item_id "
                         "AND r.position = 1)"))
    conn.execute(sa.text(
        "INSERT INTO row_status (row_id, quarter, progress_text, rating, national_rank, version, updated_by, updated_at) "
        "SELECT r.id, q.quarter, q.status_text, q.rating, q.national_rank, q.version, q.updated_by, q.updated_at "
        "FROM quarterly_status q JOIN rated_row r ON r.item_id = q.item_id AND r.position = 1"))
    if conn.dialect.name == "postgresql":
        _postgresql(conn)


def _postgresql(conn) -> None:
    rule = f"{IS_ADMIN} OR public.branch_report_may_row(row_id)"
    for statement in (
        "CREATE FUNCTION branch_report_may_row(row_id integer) RETURNS boolean LANGUAGE sql STABLE AS $$"
        " SELECT public.branch_report_may_item((SELECT r.item_id FROM public.rated_row r WHERE r.id = $1)) $$",
        "ALTER TABLE rated_row ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY br_read ON rated_row FOR SELECT USING (true)",
        f"CREATE POLICY br_admin ON rated_row FOR ALL USING ({IS_ADMIN}) WITH CHECK ({IS_ADMIN})",
        "ALTER TABLE row_status ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY br_read ON row_status FOR SELECT USING (true)",
        f"CREATE POLICY br_write ON row_status FOR ALL USING ({rule}) WITH CHECK ({rule})",
        "REVOKE ALL ON rated_row, row_status FROM PUBLIC",
        f"GRANT SELECT ON rated_row, row_status TO {USER}, {ADMIN}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}",
        f"GRANT INSERT, UPDATE, DELETE ON row_status TO {USER}",
        f"GRANT INSERT, UPDATE, DELETE ON rated_row, row_status TO {ADMIN}",
    ):
        conn.execute(sa.text(statement))


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_kpi_row_id_rated_row'), type_='foreignkey')
        batch_op.drop_column('row_id')
    op.drop_table('row_status')
    op.drop_table('rated_row')
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP FUNCTION IF EXISTS branch_report_may_row(integer)"))
