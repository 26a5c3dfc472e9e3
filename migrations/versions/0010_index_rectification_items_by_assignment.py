"""index rectification items by assignment

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 09:43:03.932251

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Deleting assignments checks this foreign key once per row; without an index, each check
    # scanned the table (deleting a 50,000-assignment plan took most of a minute on PostgreSQL).
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_items_assignment', ['assignment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_items_assignment')
