"""manual reminders (手动催办): who sent a reminder, and repeats on later days

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-07 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_repeat', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_reminders_sent_by_id_users'), 'users', ['sent_by_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('uq_reminders_assignment_id_stage_due_on'), type_='unique')
        batch_op.create_index('uq_reminders_first', ['assignment_id', 'stage', 'due_on'], unique=True,
                              sqlite_where=sa.text('is_repeat = 0'), postgresql_where=sa.text('NOT is_repeat'))
        batch_op.create_index('uq_reminders_repeat_day', ['assignment_id', 'sweep_on'], unique=True,
                              sqlite_where=sa.text('is_repeat = 1'), postgresql_where=sa.text('is_repeat'))


def downgrade():
    op.execute("DELETE FROM reminders WHERE is_repeat")
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_reminders_repeat_day', sqlite_where=sa.text('is_repeat = 1'),
                            postgresql_where=sa.text('is_repeat'))
        batch_op.drop_index('uq_reminders_first', sqlite_where=sa.text('is_repeat = 0'),
                            postgresql_where=sa.text('NOT is_repeat'))
        batch_op.create_unique_constraint(batch_op.f('uq_reminders_assignment_id_stage_due_on'),
                                          ['assignment_id', 'stage', 'due_on'])
        batch_op.drop_constraint(batch_op.f('fk_reminders_sent_by_id_users'), type_='foreignkey')
        batch_op.drop_column('is_repeat')
        batch_op.drop_column('sent_by_id')
