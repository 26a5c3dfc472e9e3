"""dashboard and public page: plan data version, covering and partial indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 06:56:06.574748

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # The dashboard's scans of a plan read this index alone; it starts with plan_id, so it also
    # serves everything the (plan_id, status) index it replaces did.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_plan_status'))
        batch_op.create_index('ix_assignments_plan_dashboard', ['plan_id', 'unit_id', 'task_id', 'status', 'due_on', 'completed_at'], unique=False)

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.String(length=32), server_default='', nullable=False))

    # Only reports marked public: the public page looks up a plan's few without touching the rest.
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index('ix_progress_reports_public', ['assignment_id', 'submitted_at'], unique=False, sqlite_where=sa.text('is_public = 1'), postgresql_where=sa.text('is_public'))


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_reports_public', sqlite_where=sa.text('is_public = 1'), postgresql_where=sa.text('is_public'))

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('data_version')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_plan_dashboard')
        batch_op.create_index(batch_op.f('ix_assignments_plan_status'), ['plan_id', 'status'], unique=False)
