"""Server link: edge channels in the registry copy (which box, which channel), then one full resync."""

from alembic import op
import sqlalchemy as sa


revision = 'link_0004'
down_revision = 'link_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edge_box_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.Integer(), nullable=True))
    # Desks before this revision skipped edge channels but moved their cursor past them: start
    # the next sync from 0 so they arrive (rows are replaced one by one; the copy stays usable).
    op.execute("UPDATE registry_sync_state SET cursor = 0")


def downgrade() -> None:
    op.execute("DELETE FROM registry_cameras WHERE kind = 'edge_channel'")
    with op.batch_alter_table('registry_cameras', schema=None) as batch_op:
        batch_op.drop_column('channel')
        batch_op.drop_column('edge_box_id')
