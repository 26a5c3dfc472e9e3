"""progress reports carry their plan for the public page

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:03:26.762136

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PUBLIC = dict(sqlite_where=sa.text('is_public = 1'), postgresql_where=sa.text('is_public'))


def upgrade():
    # Added empty, filled from each report's assignment, then required.
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE progress_reports SET plan_id = '
        '(SELECT assignments.plan_id FROM assignments WHERE assignments.id = progress_reports.assignment_id)'
    )
    # The public page reads a plan's public reports as one range of this index, instead of
    # probing it once for each of the plan's assignments.
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.alter_column('plan_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_progress_reports_plan_id_plans'), 'plans', ['plan_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index('ix_progress_reports_public', **PUBLIC)
        batch_op.create_index('ix_progress_reports_public', ['plan_id', 'submitted_at'], unique=False, **PUBLIC)


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_reports_public', **PUBLIC)
        batch_op.create_index('ix_progress_reports_public', ['assignment_id', 'submitted_at'], unique=False, **PUBLIC)
        batch_op.drop_constraint(batch_op.f('fk_progress_reports_plan_id_plans'), type_='foreignkey')
        batch_op.drop_column('plan_id')
