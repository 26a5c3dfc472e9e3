"""issuing offices with their 文号 codes, the official order of units, circulars' 文号

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-07 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'issuing_offices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('letter_format', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('contact', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('cc', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issuing_offices')),
        sa.UniqueConstraint('name', name=op.f('uq_issuing_offices_name')),
    )
    op.add_column('units', sa.Column('sort_order', sa.Integer(), nullable=False, server_default='0'))
    # Existing directories keep their import order, which the ids follow.
    op.execute("UPDATE units SET sort_order = id")
    with op.batch_alter_table('circulars', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefix', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_number', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_circulars_doc_number'), ['doc_number'])


def downgrade():
    with op.batch_alter_table('circulars', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_circulars_doc_number'), type_='unique')
        batch_op.drop_column('doc_number')
        batch_op.drop_column('number')
        batch_op.drop_column('prefix')
    if op.get_bind().dialect.name == "sqlite":
        # A batch rebuild would drop the units table, which every other table references.
        op.execute("ALTER TABLE units DROP COLUMN sort_order")
    else:
        op.drop_column('units', 'sort_order')
    op.drop_table('issuing_offices')
