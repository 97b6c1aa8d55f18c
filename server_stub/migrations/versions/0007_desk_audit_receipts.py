"""Desk audit receipts: which desk-made record ids are already in the audit trail."""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('desk_audit_receipts',
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_seq'], ['audit_records.seq'], ),
    sa.PrimaryKeyConstraint('client_id'),
    sa.UniqueConstraint('audit_seq')
    )
    with op.batch_alter_table('desk_audit_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_audit_receipts_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('desk_audit_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_audit_receipts_username'))
    op.drop_table('desk_audit_receipts')
