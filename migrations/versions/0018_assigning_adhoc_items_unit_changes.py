"""assigning after import: 不再承办, 交办件 (ad-hoc items), unit renames and merges

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-07 02:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('assignments', sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('assignments', sa.Column('withdrawn_reason', sa.String(length=500), nullable=True))
    op.add_column('plans', sa.Column('kind', sa.String(length=20), nullable=False, server_default='plan'))
    op.add_column('tasks', sa.Column('source', sa.String(length=20), nullable=True))
    op.add_column('tasks', sa.Column('source_doc_number', sa.String(length=80), nullable=True))
    op.add_column('tasks', sa.Column('source_date', sa.Date(), nullable=True))
    op.add_column('tasks', sa.Column('campaign', sa.String(length=100), nullable=True))
    op.add_column('tasks', sa.Column('scan_sha256', sa.String(length=64), nullable=True))
    op.add_column('tasks', sa.Column('scan_name', sa.String(length=255), nullable=True))
    op.create_index(op.f('ix_tasks_campaign'), 'tasks', ['campaign'], unique=False)
    op.add_column('units', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_table(
        'unit_names',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_names_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_names')),
    )
    op.create_index(op.f('ix_unit_names_unit_id'), 'unit_names', ['unit_id'], unique=False)


def _drop(table, column):
    if op.get_bind().dialect.name == "sqlite":
        # A batch rebuild would drop tables other tables reference.
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


def downgrade():
    op.drop_index(op.f('ix_unit_names_unit_id'), table_name='unit_names')
    op.drop_table('unit_names')
    _drop('units', 'merged_into_id')
    op.drop_index(op.f('ix_tasks_campaign'), table_name='tasks')
    for column in ('scan_name', 'scan_sha256', 'campaign', 'source_date', 'source_doc_number', 'source'):
        _drop('tasks', column)
    _drop('plans', 'kind')
    _drop('assignments', 'withdrawn_reason')
    _drop('assignments', 'withdrawn_at')
