"""Server link: the footage request outbox (drafts made offline, sent later exactly once)."""

from alembic import op
import sqlalchemy as sa


revision = 'link_0002'
down_revision = 'link_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('request_outbox',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('camera_ids', sa.Text(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('call_ref', sa.String(length=120), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('request_ids', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('client_id')
    )
    with op.batch_alter_table('request_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_outbox_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_outbox_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('request_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_outbox_username'))
        batch_op.drop_index(batch_op.f('ix_request_outbox_state'))
    op.drop_table('request_outbox')
