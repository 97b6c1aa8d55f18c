"""First schema: cameras of every kind, calls and their update history."""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calls',
    sa.Column('call_id', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('type_code', sa.String(length=60), nullable=False),
    sa.Column('type_text', sa.String(length=200), nullable=False),
    sa.Column('common_code', sa.String(length=30), nullable=True),
    sa.Column('priority_text', sa.String(length=60), nullable=False),
    sa.Column('priority_common', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('district', sa.String(length=60), nullable=False),
    sa.Column('beat', sa.String(length=60), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('call_id')
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_common_code'), ['common_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_received_at'), ['received_at'], unique=False)

    op.create_table('cameras',
    sa.Column('camera_id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('bearing', sa.Float(), nullable=True),
    sa.Column('fov', sa.Float(), nullable=False),
    sa.Column('range_m', sa.Float(), nullable=False),
    sa.Column('retention_days', sa.Float(), nullable=True),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('owner_ref', sa.String(length=120), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('recorder_type', sa.String(length=30), nullable=True),
    sa.Column('pole_id', sa.String(length=60), nullable=True),
    sa.Column('position_on_pole', sa.Integer(), nullable=True),
    sa.Column('main_stream_url', sa.Text(), nullable=True),
    sa.Column('sub_stream_url', sa.Text(), nullable=True),
    sa.Column('privacy_review', sa.String(length=20), nullable=True),
    sa.Column('edge_device_id', sa.String(length=60), nullable=True),
    sa.Column('channel', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('camera_id')
    )
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cameras_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cameras_pole_id'), ['pole_id'], unique=False)

    op.create_table('call_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('call_id', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.call_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('call_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_history_call_id'), ['call_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('call_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_history_call_id'))

    op.drop_table('call_history')
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cameras_pole_id'))
        batch_op.drop_index(batch_op.f('ix_cameras_kind'))

    op.drop_table('cameras')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_received_at'))
        batch_op.drop_index(batch_op.f('ix_calls_common_code'))

    op.drop_table('calls')
