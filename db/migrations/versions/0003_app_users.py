"""users of shared mode

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:28:44.950757
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('group_name', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['branch_code'], ['branch.code'], name=op.f('fk_app_user_branch_code_branch')),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_app_user'))
    )


def downgrade() -> None:
    op.drop_table('app_user')
