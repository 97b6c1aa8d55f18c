"""Server link, first schema: registry cache and its sync state, audit outbox."""

from alembic import op
import sqlalchemy as sa


revision = 'link_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_outbox',
    sa.Column('position', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object', sa.String(length=300), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('position'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('audit_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_outbox_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_outbox_username'), ['username'], unique=False)

    op.create_table('registry_cameras',
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('bearing', sa.Float(), nullable=True),
    sa.Column('fov', sa.Float(), nullable=False),
    sa.Column('range_m', sa.Float(), nullable=False),
    sa.Column('recorder_type', sa.String(length=30), nullable=False),
    sa.Column('retention_days', sa.Float(), nullable=True),
    sa.Column('sync_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('camera_id')
    )
    op.create_table('registry_sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_url', sa.String(length=300), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('registry_sync_state')
    op.drop_table('registry_cameras')
    with op.batch_alter_table('audit_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_outbox_username'))
        batch_op.drop_index(batch_op.f('ix_audit_outbox_state'))

    op.drop_table('audit_outbox')
