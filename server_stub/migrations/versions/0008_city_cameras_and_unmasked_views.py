"""City pole cameras with their privacy review (masks, note, reviewer) and audited unmasked views."""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('city_cameras',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('pole_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('bearing', sa.Float(), nullable=True),
    sa.Column('fov', sa.Float(), nullable=False),
    sa.Column('range_m', sa.Float(), nullable=False),
    sa.Column('retention_days', sa.Float(), nullable=True),
    sa.Column('main_stream_url', sa.Text(), nullable=False),
    sa.Column('sub_stream_url', sa.Text(), nullable=False),
    sa.Column('review_state', sa.String(length=10), nullable=False),
    sa.Column('masks', sa.JSON(), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('pending_reason', sa.Text(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('sync_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('city_cameras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_cameras_pole_id'), ['pole_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_city_cameras_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_city_cameras_sync_version'), ['sync_version'], unique=False)

    op.create_table('unmasked_views',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['city_cameras.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unmasked_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmasked_views_camera_id'), ['camera_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmasked_views_ended_at'), ['ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmasked_views_username'), ['username'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unmasked_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmasked_views_username'))
        batch_op.drop_index(batch_op.f('ix_unmasked_views_ended_at'))
        batch_op.drop_index(batch_op.f('ix_unmasked_views_camera_id'))

    op.drop_table('unmasked_views')
    with op.batch_alter_table('city_cameras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_city_cameras_sync_version'))
        batch_op.drop_index(batch_op.f('ix_city_cameras_review_state'))
        batch_op.drop_index(batch_op.f('ix_city_cameras_pole_id'))

    op.drop_table('city_cameras')
