"""KPIs confirmed after a plan import (who and when)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 08:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by')
