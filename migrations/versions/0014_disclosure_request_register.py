"""disclosure request register

Revision ID: 0014
Revises: 0017
Create Date: 2026-12-07 01:30:13.314970

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('applicant_type', sa.String(length=20), nullable=False),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('applicant_contact', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('correction_notice_on', sa.Date(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('corrected_on', sa.Date(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_approver', sa.String(length=100), nullable=True),
    sa.Column('extension_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('delayed_due_on', sa.Date(), nullable=True),
    sa.Column('delayed_reason', sa.Text(), nullable=True),
    sa.Column('fee_method', sa.String(length=20), nullable=True),
    sa.Column('fee_quantity', sa.Integer(), nullable=True),
    sa.Column('fee_amount', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('fee_notice_on', sa.Date(), nullable=True),
    sa.Column('fee_paid_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('correction_notice_by', sa.Date(), nullable=False),
    sa.Column('answer_category', sa.String(length=30), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('alert', sa.String(length=20), nullable=True),
    sa.Column('reminded_soon_for', sa.Date(), nullable=True),
    sa.Column('reminded_overdue_for', sa.Date(), nullable=True),
    sa.Column('escalated_for', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("alert IS NULL OR alert IN ('due_soon', 'overdue')", name=op.f('ck_disclosure_requests_alert')),
    sa.CheckConstraint("answer_category IS NULL OR answer_category IN ('open', 'partial', 'deny.secret', 'deny.law', 'deny.safety', 'deny.third_party', 'deny.internal', 'deny.process', 'deny.enforcement', 'deny.inquiry', 'none.not_held', 'none.needs_making', 'none.unclear', 'reject.petition', 'reject.repeat', 'reject.publication', 'reject.mass', 'reject.confirm', 'other.no_correction', 'other.no_fee', 'other.other')", name=op.f('ck_disclosure_requests_answer_category')),
    sa.CheckConstraint("applicant_type IN ('natural', 'business', 'research', 'public_interest', 'legal_service', 'other_org')", name=op.f('ck_disclosure_requests_applicant_type')),
    sa.CheckConstraint("channel IN ('in_person', 'post', 'online', 'fax', 'other')", name=op.f('ck_disclosure_requests_channel')),
    sa.CheckConstraint("fee_method IS NULL OR fee_method IN ('by_count', 'by_volume')", name=op.f('ck_disclosure_requests_fee_method')),
    sa.CheckConstraint("state IN ('open', 'correction', 'answered')", name=op.f('ck_disclosure_requests_state')),
    sa.CheckConstraint('extension_days >= 0 AND extension_days <= 20', name=op.f('ck_disclosure_requests_extension_days')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_disclosure_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_disclosure_requests_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_requests')),
    sa.UniqueConstraint('unit_id', 'serial', name='uq_disclosure_requests_unit_serial')
    )
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_requests_state_due', ['state', 'due_on'], unique=False)
        batch_op.create_index('ix_disclosure_requests_alert', ['alert'], unique=False,
                              sqlite_where=sa.text('alert IS NOT NULL'), postgresql_where=sa.text('alert IS NOT NULL'))
        batch_op.create_index('ix_disclosure_requests_unit_received', ['unit_id', 'received_on', 'id'], unique=False)

    op.create_table('disclosure_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('review', 'suit_direct', 'suit_after_review')", name=op.f('ck_disclosure_appeals_kind')),
    sa.CheckConstraint("result IN ('upheld', 'corrected', 'other', 'pending')", name=op.f('ck_disclosure_appeals_result')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_requests.id'], name=op.f('fk_disclosure_appeals_request_id_disclosure_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_appeals'))
    )
    with op.batch_alter_table('disclosure_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_appeals_request_id'), ['request_id'], unique=False)

    op.create_table('disclosure_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_requests.id'], name=op.f('fk_disclosure_documents_request_id_disclosure_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_disclosure_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_documents'))
    )
    with op.batch_alter_table('disclosure_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_documents_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_documents_sha256'), ['sha256'], unique=False)

    op.create_table('disclosure_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('party', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('third_party', 'agency', 'fee')", name=op.f('ck_disclosure_pauses_kind')),
    sa.CheckConstraint('end_on IS NULL OR end_on >= start_on', name=op.f('ck_disclosure_pauses_pause_order')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_requests.id'], name=op.f('fk_disclosure_pauses_request_id_disclosure_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_pauses'))
    )
    with op.batch_alter_table('disclosure_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_pauses_request_id'), ['request_id'], unique=False)

    op.create_table('disclosure_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_disclosure_steps_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_requests.id'], name=op.f('fk_disclosure_steps_request_id_disclosure_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_steps'))
    )
    with op.batch_alter_table('disclosure_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_steps_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('disclosure_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_steps_request_id'))

    op.drop_table('disclosure_steps')
    with op.batch_alter_table('disclosure_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_pauses_request_id'))

    op.drop_table('disclosure_pauses')
    with op.batch_alter_table('disclosure_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_disclosure_documents_request_id'))

    op.drop_table('disclosure_documents')
    with op.batch_alter_table('disclosure_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_appeals_request_id'))

    op.drop_table('disclosure_appeals')
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_requests_unit_received')
        batch_op.drop_index('ix_disclosure_requests_state_due')
        batch_op.drop_index('ix_disclosure_requests_alert')

    op.drop_table('disclosure_requests')
