"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 02:01:40.520896
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('branch',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_branch'))
    )
    op.create_table('fiscal_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_fiscal_year'))
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('layout', sa.String(length=20), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_table('indicator',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('group_name', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_indicator'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_change_log_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_log_key'), ['key'], unique=False)

    op.create_table('label_alias',
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_label_alias_indicator_code_indicator')),
    sa.PrimaryKeyConstraint('label', name=op.f('pk_label_alias'))
    )
    op.create_table('monthly_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_file', sa.Text(), nullable=True),
    sa.Column('source_sheet', sa.String(length=100), nullable=True),
    sa.Column('source_cell', sa.String(length=20), nullable=True),
    sa.Column('edited_by', sa.String(length=100), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_monthly_value_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['branch_code'], ['branch.code'], name=op.f('fk_monthly_value_branch_code_branch')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['fiscal_year.year'], name=op.f('fk_monthly_value_fiscal_year_fiscal_year')),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_monthly_value_indicator_code_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_value')),
    sa.UniqueConstraint('branch_code', 'fiscal_year', 'month', 'indicator_code', name=op.f('uq_monthly_value_branch_code_fiscal_year_month_indicator_code'))
    )
    op.create_table('plan_pillar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('no', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['branch_code'], ['branch.code'], name=op.f('fk_plan_pillar_branch_code_branch')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['fiscal_year.year'], name=op.f('fk_plan_pillar_fiscal_year_fiscal_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_pillar')),
    sa.UniqueConstraint('branch_code', 'fiscal_year', 'no', name=op.f('uq_plan_pillar_branch_code_fiscal_year_no'))
    )
    op.create_table('year_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_file', sa.Text(), nullable=True),
    sa.Column('source_sheet', sa.String(length=100), nullable=True),
    sa.Column('source_cell', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_year_value_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['branch_code'], ['branch.code'], name=op.f('fk_year_value_branch_code_branch')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['fiscal_year.year'], name=op.f('fk_year_value_fiscal_year_fiscal_year')),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_year_value_indicator_code_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_value')),
    sa.UniqueConstraint('branch_code', 'fiscal_year', 'indicator_code', name=op.f('uq_year_value_branch_code_fiscal_year_indicator_code'))
    )
    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pillar_id', sa.Integer(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_group', sa.String(length=40), nullable=False),
    sa.Column('plan_text', sa.Text(), nullable=False),
    sa.Column('important', sa.Boolean(), nullable=False),
    sa.Column('difficult', sa.Boolean(), nullable=False),
    sa.Column('incentive', sa.Boolean(), nullable=False),
    sa.Column('evaluation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['pillar_id'], ['plan_pillar.id'], name=op.f('fk_plan_item_pillar_id_plan_pillar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item')),
    sa.UniqueConstraint('pillar_id', 'item_no', name=op.f('uq_plan_item_pillar_id_item_no'))
    )
    op.create_table('kpi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=True),
    sa.Column('op', sa.String(length=2), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('target_rule', sa.String(length=12), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('manual_result', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_kpi_indicator_code_indicator')),
    sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], name=op.f('fk_kpi_item_id_plan_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi')),
    sa.UniqueConstraint('item_id', 'position', name=op.f('uq_kpi_item_id_position'))
    )
    op.create_table('quarterly_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('status_text', sa.Text(), nullable=False),
    sa.Column('rating', sa.String(length=1), nullable=True),
    sa.Column('national_rank', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], name=op.f('fk_quarterly_status_item_id_plan_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarterly_status')),
    sa.UniqueConstraint('item_id', 'quarter', name=op.f('uq_quarterly_status_item_id_quarter'))
    )


def downgrade() -> None:
    op.drop_table('quarterly_status')
    op.drop_table('kpi')
    op.drop_table('plan_item')
    op.drop_table('year_value')
    op.drop_table('plan_pillar')
    op.drop_table('monthly_value')
    op.drop_table('label_alias')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_key'))
        batch_op.drop_index(batch_op.f('ix_change_log_at'))

    op.drop_table('change_log')
    op.drop_table('setting')
    op.drop_table('indicator')
    op.drop_table('import_batch')
    op.drop_table('fiscal_year')
    op.drop_table('branch')
