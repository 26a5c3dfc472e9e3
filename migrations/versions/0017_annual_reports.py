"""annual reports

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-07 01:34:50.959953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=4), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('is_consistent', sa.Boolean(), nullable=False),
    sa.Column('is_forced', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("format IN ('2019', '2021')", name=op.f('ck_annual_reports_format')),
    sa.CheckConstraint("source IN ('import', 'build')", name=op.f('ck_annual_reports_source')),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_annual_reports_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_annual_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_annual_reports_published_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_annual_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reports')),
    sa.UniqueConstraint('unit_id', 'year', name=op.f('uq_annual_reports_unit_id_year'))
    )
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_reports_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_annual_reports_year_status', ['year', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_annual_reports_year_status')
        batch_op.drop_index(batch_op.f('ix_annual_reports_unit_id'))

    op.drop_table('annual_reports')
