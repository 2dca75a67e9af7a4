"""operations and whole rows in the change log (undo restores the row with its origin)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('undoes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['undoes'], ['operation.id'], name=op.f('fk_operation_undoes_operation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('op_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('row_before', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('row_after', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_change_log_op_id_operation'), 'operation', ['op_id'], ['id'])
    op.execute("UPDATE change_log SET source = '手入力' WHERE source = 'hand edit'")


def downgrade() -> None:
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_change_log_op_id_operation'), type_='foreignkey')
        batch_op.drop_column('row_after')
        batch_op.drop_column('row_before')
        batch_op.drop_column('op_id')
    op.drop_table('operation')
