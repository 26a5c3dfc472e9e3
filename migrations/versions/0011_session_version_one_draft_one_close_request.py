"""session version per user; one draft and one pending close request per assignment

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _refuse_duplicates(where: str, what: str) -> None:
    """Stop with the assignments to fix, rather than build an index the data already breaks."""
    rows = op.get_bind().execute(sa.text(
        f"SELECT assignment_id FROM progress_reports WHERE {where} GROUP BY assignment_id HAVING COUNT(*) > 1"
    )).scalars().all()
    if rows:
        raise RuntimeError(f"以下承办任务有多份{what}，请先处理后再升级：assignment_id = {', '.join(map(str, rows))}")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    dialect = op.get_bind().dialect.name
    close_where = "status = 'submitted' AND is_close_request" + (" = 1" if dialect == "sqlite" else "")
    _refuse_duplicates("status = 'draft'", "草稿")
    _refuse_duplicates(close_where, "待审核的办结申请")
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index('uq_progress_reports_one_draft', ['assignment_id'], unique=True,
                              sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.create_index('uq_progress_reports_one_pending_close', ['assignment_id'], unique=True,
                              sqlite_where=sa.text("status = 'submitted' AND is_close_request = 1"),
                              postgresql_where=sa.text("status = 'submitted' AND is_close_request"))


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_progress_reports_one_pending_close')
        batch_op.drop_index('uq_progress_reports_one_draft')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
