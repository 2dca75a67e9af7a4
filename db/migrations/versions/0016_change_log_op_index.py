"""the change log's lines found by their operation (an index on change_log.op_id)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:00:00

An undo reads the lines of the operation it takes back (``WHERE op_id = …``). Without an index
that read went through the whole change log, which only grows (every import and edit appends
lines, never takes any away): on a year's log an undo of a paste read every line ever written.
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_change_log_op_id'), 'change_log', ['op_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_change_log_op_id'), table_name='change_log')
