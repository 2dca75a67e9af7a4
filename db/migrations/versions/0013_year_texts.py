"""the year's texts of an item, written for 第4四半期: 取組内容・結果 and 課題・次年度の取組

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 14:20:00

Seed 001 (目標達成状況) goes on, per measure, with what was done in the year and its results
(〇令和6年度取組内容・結果) and the issues and next year's approach (〇課題・令和7年度の取組).
They are written per measure (a plan item, which belongs to one fiscal year) once a year, at
its end: they are kept on the item's 第4四半期 status (``quarterly_status`` with quarter 4), so
they share its row-level security (the item's group writes, everyone reads), its version (two
people saving at once see each other's text) and its change log lines.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quarterly_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('next_year_text', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('quarterly_status', schema=None) as batch_op:
        batch_op.drop_column('next_year_text')
        batch_op.drop_column('results_text')
