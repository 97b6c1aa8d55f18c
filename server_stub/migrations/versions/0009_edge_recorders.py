"""Business edge recorders: enrollment codes, boxes, channels, commands and live sessions."""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('edge_enrollment_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('business_name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_box', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code_hash')
    )
    op.create_table('edge_boxes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('credential_hash', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('health', sa.JSON(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_hash'),
    sa.UniqueConstraint('owner_id')
    )
    op.create_table('edge_channels',
    sa.Column('camera_id', sa.String(length=32), nullable=False),
    sa.Column('box_id', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['edge_boxes.id'], ),
    sa.ForeignKeyConstraint(['camera_id'], ['camera_registrations.id'], ),
    sa.PrimaryKeyConstraint('camera_id'),
    sa.UniqueConstraint('box_id', 'channel', name='uq_edge_box_channel')
    )
    with op.batch_alter_table('edge_channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edge_channels_box_id'), ['box_id'], unique=False)

    op.create_table('edge_live_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('box_id', sa.String(length=32), nullable=False),
    sa.Column('camera_id', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.Column('analyst', sa.String(length=64), nullable=False),
    sa.Column('call_ref', sa.String(length=120), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('viewer_key_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('max_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_code', sa.String(length=24), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('bytes_relayed', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['edge_boxes.id'], ),
    sa.ForeignKeyConstraint(['camera_id'], ['edge_channels.camera_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('viewer_key_hash')
    )
    with op.batch_alter_table('edge_live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edge_live_sessions_analyst'), ['analyst'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_live_sessions_box_id'), ['box_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_live_sessions_camera_id'), ['camera_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_live_sessions_state'), ['state'], unique=False)

    op.create_table('edge_commands',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('box_id', sa.String(length=32), nullable=False),
    sa.Column('camera_id', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_seconds', sa.Integer(), nullable=True),
    sa.Column('analyst', sa.String(length=64), nullable=False),
    sa.Column('call_ref', sa.String(length=120), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=True),
    sa.Column('live_session_id', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reason_code', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declared_sha256', sa.String(length=64), nullable=True),
    sa.Column('result_sha256', sa.String(length=64), nullable=True),
    sa.Column('result_bytes', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['box_id'], ['edge_boxes.id'], ),
    sa.ForeignKeyConstraint(['camera_id'], ['edge_channels.camera_id'], ),
    sa.ForeignKeyConstraint(['live_session_id'], ['edge_live_sessions.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['footage_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('edge_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edge_commands_box_id'), ['box_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_commands_camera_id'), ['camera_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_commands_live_session_id'), ['live_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_commands_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edge_commands_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('edge_commands', schema=None) as batch_op:
        for name in ('state', 'request_id', 'live_session_id', 'camera_id', 'box_id'):
            batch_op.drop_index(batch_op.f(f'ix_edge_commands_{name}'))
    op.drop_table('edge_commands')
    with op.batch_alter_table('edge_live_sessions', schema=None) as batch_op:
        for name in ('state', 'camera_id', 'box_id', 'analyst'):
            batch_op.drop_index(batch_op.f(f'ix_edge_live_sessions_{name}'))
    op.drop_table('edge_live_sessions')
    with op.batch_alter_table('edge_channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edge_channels_box_id'))
    op.drop_table('edge_channels')
    op.drop_table('edge_boxes')
    op.drop_table('edge_enrollment_codes')
