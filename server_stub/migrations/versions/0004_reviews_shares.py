"""Review verdicts on uploads, officer share links and their views."""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('upload_id', sa.String(length=32), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_reviews_upload_id'), 'reviews', ['upload_id'], unique=False)
    op.create_table('shares',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('upload_id', sa.String(length=32), nullable=False),
    sa.Column('officer_name', sa.String(length=120), nullable=False),
    sa.Column('officer_contact', sa.String(length=200), nullable=False),
    sa.Column('case_ref', sa.String(length=120), nullable=False),
    sa.Column('allow_download', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_shares_case_ref'), 'shares', ['case_ref'], unique=False)
    op.create_index(op.f('ix_shares_upload_id'), 'shares', ['upload_id'], unique=False)
    op.create_table('share_views',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('share_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_share_views_share_id'), 'share_views', ['share_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_share_views_share_id'), table_name='share_views')
    op.drop_table('share_views')
    op.drop_index(op.f('ix_shares_upload_id'), table_name='shares')
    op.drop_index(op.f('ix_shares_case_ref'), table_name='shares')
    op.drop_table('shares')
    op.drop_index(op.f('ix_reviews_upload_id'), table_name='reviews')
    op.drop_table('reviews')
