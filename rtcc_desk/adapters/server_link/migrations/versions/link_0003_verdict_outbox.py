"""Server link: the review verdict outbox (verdicts given offline or before a crash, sent later)."""

from alembic import op
import sqlalchemy as sa


revision = 'link_0003'
down_revision = 'link_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verdict_outbox',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.Column('valuable', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('client_id')
    )
    with op.batch_alter_table('verdict_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_outbox_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_verdict_outbox_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verdict_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_outbox_username'))
        batch_op.drop_index(batch_op.f('ix_verdict_outbox_state'))
    op.drop_table('verdict_outbox')
