"""printed precision of year figures, KPI ratings per quarter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:35:34.019531
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=1), nullable=True),
    sa.Column('national_rank', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_status_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_status')),
    sa.UniqueConstraint('kpi_id', 'quarter', name=op.f('uq_kpi_status_kpi_id_quarter'))
    )
    with op.batch_alter_table('year_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decimals', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('year_value', schema=None) as batch_op:
        batch_op.drop_column('decimals')

    op.drop_table('kpi_status')
