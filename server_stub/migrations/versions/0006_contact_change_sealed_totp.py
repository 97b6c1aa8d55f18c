"""Owners' pending email change; room for sealed (encrypted) TOTP secrets.

Existing plain secrets are sealed by the server at its next start (totp_secrets.open_box):
the key lives in a file outside the database, which a migration does not see.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)


def downgrade() -> None:
    # Sealed secrets do not fit the old width: a downgrade needs them re-enrolled.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_column('pending_email')
