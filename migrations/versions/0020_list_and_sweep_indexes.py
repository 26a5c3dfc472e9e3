"""list pages and the sweep at province scale: covering indexes on assignments

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 04:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        # 督办 → 逾期与临期 walks this in due-date order and counts its statuses from the index alone;
        # it starts with due_on, so it serves everything the due_on index it replaces did.
        batch_op.drop_index('ix_assignments_due_on')
        batch_op.create_index('ix_assignments_alerting', ['due_on', 'status', 'completed_at', 'unit_id', 'withdrawn_at'],
                              unique=False)
        # The sweep's flagged rows (escalation, reminders) read from the index alone.
        batch_op.drop_index('ix_assignments_alert_unit')
        batch_op.create_index('ix_assignments_alert', ['alert', 'unit_id', 'deadline_kind', 'due_on', 'plan_id'],
                              unique=False)
        # The sweep's continuous assignments of a plan (periodic checks) without reading the plan's other rows.
        batch_op.create_index('ix_assignments_continuous', ['deadline_kind', 'plan_id', 'status', 'withdrawn_at',
                                                            'unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_continuous')
        batch_op.drop_index('ix_assignments_alert')
        batch_op.create_index('ix_assignments_alert_unit', ['alert', 'unit_id'], unique=False)
        batch_op.drop_index('ix_assignments_alerting')
        batch_op.create_index('ix_assignments_due_on', ['due_on'], unique=False)
