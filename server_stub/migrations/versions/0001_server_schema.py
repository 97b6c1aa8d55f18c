"""Server schema: audit trail, camera owners and registrations, footage requests, accounts."""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_records',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash')
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_case_ref'), ['case_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_object'), ['object'], unique=False)

    op.create_table('owners',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('preferred_channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('is_business', sa.Boolean(), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reconfirm_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owners_email'), ['email'], unique=False)

    op.create_table('sync_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('camera_registrations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('bearing', sa.Float(), nullable=True),
    sa.Column('fov', sa.Float(), nullable=False),
    sa.Column('range_m', sa.Float(), nullable=False),
    sa.Column('sees', sa.Text(), nullable=False),
    sa.Column('recorder_type', sa.String(length=30), nullable=False),
    sa.Column('retention_days', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('sync_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('camera_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_registrations_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_registrations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_registrations_sync_version'), ['sync_version'], unique=False)

    op.create_table('owner_link_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('owner_link_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_link_tokens_owner_id'), ['owner_id'], unique=False)

    op.create_table('footage_requests',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('camera_id', sa.String(length=32), nullable=False),
    sa.Column('call_ref', sa.String(length=120), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('analyst', sa.String(length=64), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('overwrite_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('delivery_error', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('reminder_token_hash', sa.String(length=64), nullable=True),
    sa.Column('link_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['camera_registrations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'camera_id', name='uq_request_client_camera'),
    sa.UniqueConstraint('reminder_token_hash'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('footage_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_footage_requests_analyst'), ['analyst'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_requests_camera_id'), ['camera_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_requests_case_ref'), ['case_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_requests_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_requests_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('footage_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_footage_requests_status'))
        batch_op.drop_index(batch_op.f('ix_footage_requests_client_id'))
        batch_op.drop_index(batch_op.f('ix_footage_requests_case_ref'))
        batch_op.drop_index(batch_op.f('ix_footage_requests_camera_id'))
        batch_op.drop_index(batch_op.f('ix_footage_requests_analyst'))

    op.drop_table('footage_requests')
    with op.batch_alter_table('owner_link_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_link_tokens_owner_id'))

    op.drop_table('owner_link_tokens')
    with op.batch_alter_table('camera_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_registrations_sync_version'))
        batch_op.drop_index(batch_op.f('ix_camera_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_camera_registrations_owner_id'))

    op.drop_table('camera_registrations')
    op.drop_table('sync_counter')
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owners_email'))

    op.drop_table('owners')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_records_object'))
        batch_op.drop_index(batch_op.f('ix_audit_records_case_ref'))
        batch_op.drop_index(batch_op.f('ix_audit_records_at'))
        batch_op.drop_index(batch_op.f('ix_audit_records_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_records_action'))

    op.drop_table('audit_records')
    op.drop_table('audit_head')
