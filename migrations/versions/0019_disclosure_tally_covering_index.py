"""the register's unit index covers the dashboard's request figures

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 04:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # (unit_id, received_on, id) served the register page; with the state and the two dates it
    # also answers the dashboard's yearly tally from the index alone (no read of each request).
    op.drop_index('ix_disclosure_requests_unit_received', table_name='disclosure_requests')
    op.create_index('ix_disclosure_requests_unit_received', 'disclosure_requests',
                    ['unit_id', 'received_on', 'id', 'state', 'due_on', 'answered_on'], unique=False)


def downgrade():
    op.drop_index('ix_disclosure_requests_unit_received', table_name='disclosure_requests')
    op.create_index('ix_disclosure_requests_unit_received', 'disclosure_requests',
                    ['unit_id', 'received_on', 'id'], unique=False)
