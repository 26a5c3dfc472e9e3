"""the returned reports' covering index led by status, so SQLite uses it

Revision ID: 0026
Revises: 0019
Create Date: 2026-12-07 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0021'
branch_labels = None
depends_on = None

_WHERE = dict(sqlite_where=sa.text("status = 'returned'"), postgresql_where=sa.text("status = 'returned'"))
_COVERED = ['assignment_id', 'id', 'unit_id', 'reviewed_at', 'updated_at']


def upgrade():
    # SQLite keeps no statistics here: for "status = 'returned'" it chose the (status, unit_id,
    # submitted_at) index and read each of a province's 34,000 returned reports from the table.
    # With status first the covering index answers the same condition, and SQLite takes it.
    op.drop_index('ix_progress_reports_returned', table_name='progress_reports', **_WHERE)
    op.create_index('ix_progress_reports_returned', 'progress_reports', ['status'] + _COVERED, unique=False, **_WHERE)


def downgrade():
    op.drop_index('ix_progress_reports_returned', table_name='progress_reports', **_WHERE)
    op.create_index('ix_progress_reports_returned', 'progress_reports', _COVERED, unique=False, **_WHERE)
