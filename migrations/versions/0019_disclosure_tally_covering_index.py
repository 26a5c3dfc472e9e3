"""covering indexes: dashboard assignments (with withdrawn_at), the request tally, returned reports

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 04:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


_DASHBOARD = ['plan_id', 'unit_id', 'task_id', 'status', 'due_on', 'completed_at']


def upgrade():
    # 0018 added withdrawn_at, which every ORM read of assignments tests: the dashboard's index no
    # longer covered its scans, and each counted assignment was read from the table as well.
    op.drop_index('ix_assignments_plan_dashboard', table_name='assignments')
    op.create_index('ix_assignments_plan_dashboard', 'assignments', _DASHBOARD + ['withdrawn_at'], unique=False)
    # (unit_id, received_on, id) served the register page; with the state and the two dates it
    # also answers the dashboard's yearly tally from the index alone (no read of each request).
    op.drop_index('ix_disclosure_requests_unit_received', table_name='disclosure_requests')
    op.create_index('ix_disclosure_requests_unit_received', 'disclosure_requests',
                    ['unit_id', 'received_on', 'id', 'state', 'due_on', 'answered_on'], unique=False)
    # The assessment reads every returned report of the plans (one in sixteen of a province's).
    op.create_index('ix_progress_reports_returned', 'progress_reports',
                    ['assignment_id', 'id', 'unit_id', 'reviewed_at', 'updated_at'], unique=False,
                    sqlite_where=sa.text("status = 'returned'"), postgresql_where=sa.text("status = 'returned'"))


def downgrade():
    op.drop_index('ix_progress_reports_returned', table_name='progress_reports',
                  sqlite_where=sa.text("status = 'returned'"), postgresql_where=sa.text("status = 'returned'"))
    op.drop_index('ix_assignments_plan_dashboard', table_name='assignments')
    op.create_index('ix_assignments_plan_dashboard', 'assignments', _DASHBOARD, unique=False)
    op.drop_index('ix_disclosure_requests_unit_received', table_name='disclosure_requests')
    op.create_index('ix_disclosure_requests_unit_received', 'disclosure_requests',
                    ['unit_id', 'received_on', 'id'], unique=False)
