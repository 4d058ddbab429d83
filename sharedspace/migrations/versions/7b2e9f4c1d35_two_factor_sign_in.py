"""two-factor sign-in

Revision ID: 7b2e9f4c1d35
Revises: 13a4dc0f2e61
Create Date: 2026-12-01 08:20:00.000000

Issue 13: TOTP second factor (workspace/twofactor). `two_factor` holds each person's
secret and the last 30-second step accepted (no code is used twice); `recovery_code`
holds argon2 hashes only; `pending_sign_in` a SHA-256 of each pending sign-in's token.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db


revision: str = '7b2e9f4c1d35'
down_revision: str | None = '13a4dc0f2e61'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('two_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('two_factor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_two_factor_user_id'), ['user_id'], unique=True)
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('used_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    op.create_table('pending_sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('next_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pending_sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_sign_in_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_pending_sign_in_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_sign_in_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_sign_in_token_hash'))
    op.drop_table('pending_sign_in')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    with op.batch_alter_table('two_factor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_two_factor_user_id'))
    op.drop_table('two_factor')
