"""seat invitations

Revision ID: 5d8e2a6b9c47
Revises: e5c8a1f0b6d2
Create Date: 2026-12-01 10:15:00.000000

Issue 14: invite someone with no account yet to a task group seat
(taskgroups/groups/seat_invites.py). `seat_invitation` holds the seat offered (member
with organisation and role, or observer with department), a SHA-256 of the single-use
link's token, its expiry, and when it was used (by whom) or withdrawn.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db


revision: str = '5d8e2a6b9c47'
# After user.language (e5c8a1f0b6d2, issue 18): both branched from 7b2e9f4c1d35.
down_revision: str | None = 'e5c8a1f0b6d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seat_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['task_group.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['used_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('seat_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_invitation_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_invitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_invitation_token_hash'), ['token_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seat_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_invitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_seat_invitation_email'))
        batch_op.drop_index(batch_op.f('ix_seat_invitation_group_id'))
    op.drop_table('seat_invitation')
