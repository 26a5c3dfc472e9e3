"""plans can be archived

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # A plan units have reported on is never deleted; a supervisor archives it instead (who did
    # it is in the audit log).
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Not in batch mode: on SQLite a batch copies and drops the plans table, and with foreign keys
    # on that drop cascades to every task, assignment and report. SQLite drops a column in place.
    op.drop_column('plans', 'archived_at')
