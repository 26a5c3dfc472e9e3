"""job runs record their process and may end interrupted; scheduler heartbeat; job schedules

Revision ID: 0012
Revises: 0015
Create Date: 2026-12-07 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_job_runs_outcome'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_job_runs_outcome'), "outcome IN ('running', 'ok', 'skipped', 'failed', 'interrupted')")
    op.create_table('scheduler_beats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_beats'))
    )
    with op.batch_alter_table('scheduler_beats', schema=None) as batch_op:
        batch_op.create_index('ix_scheduler_beats_beat', ['beat_at'], unique=False)
    op.create_table('job_schedules',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_job_schedules_updated_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_schedules'))
    )


def downgrade():
    op.drop_table('job_schedules')
    with op.batch_alter_table('scheduler_beats', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduler_beats_beat')
    op.drop_table('scheduler_beats')
    op.execute("UPDATE job_runs SET outcome = 'failed' WHERE outcome = 'interrupted'")
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_runs_outcome'), type_='check')
        batch_op.create_check_constraint(op.f('ck_job_runs_outcome'), "outcome IN ('running', 'ok', 'skipped', 'failed')")
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('holder')
