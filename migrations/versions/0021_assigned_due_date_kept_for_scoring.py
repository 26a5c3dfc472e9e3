"""an assignment keeps the due date it had before a supervisor changed the task's deadline

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-07 04:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('assignments', sa.Column('assigned_due_on', sa.Date(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # A batch rebuild would drop tables other tables reference.
        op.execute("ALTER TABLE assignments DROP COLUMN assigned_due_on")
    else:
        op.drop_column('assignments', 'assigned_due_on')
